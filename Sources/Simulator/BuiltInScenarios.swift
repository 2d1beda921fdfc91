import Foundation

/// The scenarios built into the binary (`leadline simulate --list`), written as the JSON files a developer would
/// write; `leadline simulate --show NAME` prints one to copy and change.
public enum BuiltInScenarios {
    public static let all: [(name: String, json: String)] = [
        ("demo", demo), ("quick", quick), ("full-day", fullDay), ("rough-day", roughDay), ("load", load),
    ]

    public static func named(_ name: String) -> Scenario? {
        all.first { $0.name == name }.flatMap { try? Scenario.parse(Data($0.json.utf8)).validated() }
    }

    /// What `serve --demo` runs, forever, at a gentle pace.
    public static let demo = """
        {
          "name": "demo",
          "description": "The living demo of serve --demo: auto-insurance leads sold by ping-post and direct routing to three live bidders and one fixed buyer, solar leads called by the AI agent and transferred to a call center, postbacks from a Ringba-style platform.",
          "duration": "1d",
          "campaigns": [
            {"name": "Auto insurance", "campaign_type": "auto_insurance", "floor_price_cents": 800},
            {"name": "Solar (calls)", "campaign_type": "solar", "calling": true}
          ],
          "buyers": [
            {"name": "Harbor Insurance Group", "count": 1, "bid_cents": "1800-4200", "campaign_types": ["auto_insurance"], "format": "json", "return_rate": 0.08},
            {"name": "Summit Auto Leads", "count": 1, "bid_cents": "1500-3600", "campaign_types": ["auto_insurance"], "format": "xml", "latency_ms": 120},
            {"name": "Beacon Direct", "count": 1, "bid_cents": "2600", "campaign_types": ["auto_insurance"], "format": "text", "decline_rate": 0.3},
            {"name": "Pioneer Mutual", "count": 1, "live": false, "bid_cents": "2200", "campaign_types": ["auto_insurance"], "max_leads_per_day": 40}
          ],
          "destinations": [
            {"name": "Evergreen Solar call center", "phone": "5125550142", "campaign": "Solar (calls)", "price_cents": 4500}
          ],
          "traffic": {"leads_per_minute": 6, "warm_up": 12, "inbound": 0.5, "ping_post": 0.4, "lead2inbound": 0.1,
                      "campaign_types": {"auto_insurance": 0.75, "solar": 0.25}, "bad_rate": 0.05, "duplicate_rate": 0.05, "unconsented_rate": 0.05},
          "postbacks": {"delay_seconds": "5-30", "duplicate_rate": 0.05, "bad_token_rate": 0.02, "style": "ringba", "payout": "25-60"}
        }
        """

    /// A minute of ping-post traffic against three live buyers: the smallest useful run.
    public static let quick = """
        {
          "name": "quick",
          "description": "One minute of auto-insurance leads at 120 a minute: pings to three live buyers, posts to the best bid, direct routing, some bad, duplicate and unconsented leads.",
          "duration": "60s",
          "campaigns": [{"name": "Auto insurance", "campaign_type": "auto_insurance", "floor_price_cents": 1000}],
          "buyers": [{"name": "Live buyer", "count": 3, "bid_cents": "1200-4000"}],
          "traffic": {"leads_per_minute": 120}
        }
        """

    /// A working day (8 a.m. to 6 p.m. Central) of ping-post and calls, run 120 times faster than real time.
    public static let fullDay = """
        {
          "name": "full-day",
          "description": "A working day of ping-post and call traffic, 8 a.m. to 6 p.m. Central, on a clock 120 times faster (about 5 minutes): five live buyers in three formats with caps, a fixed buyer, solar leads called and transferred to two call centers, postbacks in Ringba's names with delays, duplicates and bad tokens.",
          "duration": "10h",
          "clock": {"start": "2026-11-23T14:00:00Z", "speed": 120},
          "campaigns": [
            {"name": "Auto insurance", "campaign_type": "auto_insurance", "floor_price_cents": 900},
            {"name": "Solar (calls)", "campaign_type": "solar", "calling": true}
          ],
          "buyers": [
            {"name": "Live JSON buyer", "count": 2, "bid_cents": "1500-4500", "campaign_types": ["auto_insurance"], "max_leads_per_hour": 30, "return_rate": 0.05},
            {"name": "Live XML buyer", "count": 2, "bid_cents": "1200-3800", "campaign_types": ["auto_insurance"], "format": "xml", "timeout_rate": 0.03},
            {"name": "Live text buyer", "count": 1, "bid_cents": "2500", "campaign_types": ["auto_insurance"], "format": "text", "reject_rate": 0.1},
            {"name": "Fixed buyer", "count": 1, "live": false, "bid_cents": "2000", "campaign_types": ["auto_insurance"], "max_leads_per_day": 150}
          ],
          "destinations": [
            {"name": "Solar center A", "phone": "5125550142", "campaign": "Solar (calls)", "price_cents": 4500, "max_concurrent_transfers": 3},
            {"name": "Solar center B", "phone": "7025550187", "campaign": "Solar (calls)", "price_cents": 4000, "max_concurrent_transfers": 2}
          ],
          "traffic": {"leads_per_minute": 2, "campaign_types": {"auto_insurance": 0.7, "solar": 0.3}},
          "postbacks": {"delay_seconds": "10-300", "style": "ringba"}
        }
        """

    /// Load, not a rehearsal: leads as fast as 32 senders at once can push them, for Tests/Benchmarks/load-mixed.sh.
    public static let load = """
        {
          "name": "load",
          "description": "Ten minutes of load: up to 100 leads a second from 32 senders at once (inbound, ping then post, lead2inbound), five live buyers and two fixed ones, solar leads called and transferred, postbacks. Not deterministic: the auctions overlap.",
          "duration": "10m",
          "campaigns": [
            {"name": "Auto insurance", "campaign_type": "auto_insurance", "floor_price_cents": 500},
            {"name": "Solar (calls)", "campaign_type": "solar", "calling": true}
          ],
          "buyers": [
            {"name": "Live buyer", "count": 5, "bid_cents": "1000-5000", "latency_ms": 20, "jitter_ms": 30, "campaign_types": ["auto_insurance"], "return_rate": 0.02},
            {"name": "Fixed buyer", "count": 2, "live": false, "bid_cents": "1500", "campaign_types": ["auto_insurance"]}
          ],
          "destinations": [{"name": "Load center", "phone": "5125550142", "campaign": "Solar (calls)", "max_concurrent_transfers": 20}],
          "traffic": {"leads_per_minute": 6000, "concurrency": 32, "campaign_types": {"auto_insurance": 0.9, "solar": 0.1}},
          "postbacks": {"delay_seconds": "1-10"}
        }
        """

    /// Everything going wrong at once: slow, timing-out and refusing buyers, lots of bad input, a noisy platform.
    public static let roughDay = """
        {
          "name": "rough-day",
          "description": "Two hours of bad weather at 60 times speed: buyers that time out, decline and reject, a fifth of leads bad, duplicate or unconsented, and a call platform that repeats itself and sends wrong tokens.",
          "duration": "2h",
          "clock": {"start": "2026-11-24T16:00:00Z", "speed": 60},
          "campaigns": [
            {"name": "Auto insurance", "campaign_type": "auto_insurance", "floor_price_cents": 1500},
            {"name": "Solar (calls)", "campaign_type": "solar", "calling": true}
          ],
          "buyers": [
            {"name": "Slow buyer", "count": 2, "latency_ms": 400, "jitter_ms": 900, "timeout_rate": 0.2, "campaign_types": ["auto_insurance"]},
            {"name": "Picky buyer", "count": 2, "decline_rate": 0.6, "reject_rate": 0.3, "format": "xml", "campaign_types": ["auto_insurance"], "return_rate": 0.15},
            {"name": "Capped buyer", "count": 1, "live": false, "bid_cents": "1600", "max_leads_per_hour": 5, "campaign_types": ["auto_insurance"]}
          ],
          "destinations": [{"name": "Busy center", "phone": "5125550142", "campaign": "Solar (calls)", "max_concurrent_transfers": 1}],
          "traffic": {"leads_per_minute": 3, "bad_rate": 0.1, "duplicate_rate": 0.05, "unconsented_rate": 0.05,
                      "campaign_types": {"auto_insurance": 0.6, "solar": 0.4}},
          "postbacks": {"delay_seconds": "0-600", "duplicate_rate": 0.2, "bad_token_rate": 0.1, "style": "retreaver"}
        }
        """
}
