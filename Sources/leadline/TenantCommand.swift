import ArgumentParser
import LeadlineCore
import Store

/// Opens the database for a command: migrated, so a fresh file works; refused if it is newer than this binary.
func openStore(_ database: DatabaseOption) throws -> SQLiteStore {
    try SQLiteStore(path: database.path, migrations: Schema.migrations)
}

struct TenantCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tenant", abstract: "Create and list tenants.",
                                                    subcommands: [Create.self, List.self, Configure.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a tenant.")
        @OptionGroup var database: DatabaseOption
        @Argument(help: "The tenant's name (unique).") var name: String
        @Flag(help: "Print one JSON object.") var json = false

        func run() throws {
            let store = try openStore(database)
            defer { try? store.close() }
            let tenant = try Tenants(store: store, clock: SystemClock()).create(name: name)
            if json { try printJSON(tenant) } else { print("Created tenant '\(tenant.name)' (\(tenant.id)).") }
        }
    }

    struct Configure: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show or change how a tenant's leads are de-duplicated and its auctions run.")
        @OptionGroup var database: DatabaseOption
        @Argument(help: "The tenant's name.") var name: String
        @Option(name: .customLong("dedup-window-days"), help: "Days within which the same phone is the same lead (0: no dedup).")
        var windowDays: Int?
        @Option(name: .customLong("dedup-by-email"), help: "Whether the same email within the window is also the same lead: on or off.")
        var byEmail: Switch?
        @Option(name: .customLong("floor-price-cents"), help: "Bids under this are dropped, unless a campaign sets its own floor.")
        var floorPriceCents: Int?
        @Option(name: .customLong("auction-deadline-ms"), help: "How long a ping waits for live bids (50–30000 ms; default 1000).")
        var auctionDeadlineMs: Int?
        @Option(name: .customLong("try-next-bid"), help: "Whether a lead a buyer rejects on post is offered to the next bid: on or off.")
        var tryNextBid: Switch?
        @Flag(help: "Print one JSON object.") var json = false

        /// Both rule sets, flat, with the names the options use.
        struct Shown: Encodable {
            let dedup_window_days: Int, dedup_by_email: Bool
            let floor_price_cents: Int, auction_deadline_ms: Int, try_next_bid: Bool
        }

        enum Switch: String, ExpressibleByArgument { case on, off }

        func run() throws {
            let store = try openStore(database)
            defer { try? store.close() }
            let tenants = Tenants(store: store, clock: SystemClock())
            let tenant = try tenants.named(name)
            var rule = try tenants.dedupRule(tenantID: tenant.id)
            if let windowDays { rule.windowDays = windowDays }
            if let byEmail { rule.byEmail = byEmail == .on }
            if windowDays != nil || byEmail != nil { try tenants.setDedupRule(tenantID: tenant.id, rule) }
            var auctions = try tenants.exchangeRules(tenantID: tenant.id)
            if let floorPriceCents { auctions.floorPriceCents = floorPriceCents }
            if let auctionDeadlineMs { auctions.auctionDeadlineMs = auctionDeadlineMs }
            if let tryNextBid { auctions.tryNextBid = tryNextBid == .on }
            if floorPriceCents != nil || auctionDeadlineMs != nil || tryNextBid != nil { try tenants.setExchangeRules(tenantID: tenant.id, auctions) }
            if json {
                try printJSON(Shown(dedup_window_days: rule.windowDays, dedup_by_email: rule.byEmail, floor_price_cents: auctions.floorPriceCents,
                                    auction_deadline_ms: auctions.auctionDeadlineMs, try_next_bid: auctions.tryNextBid))
                return
            }
            print("\(tenant.name): leads are duplicates within \(rule.windowDays) day(s) on phone\(rule.byEmail ? " or email" : "")"
                  + (rule.windowDays == 0 ? " (dedup off)" : ""))
            print("\(tenant.name): auctions wait \(auctions.auctionDeadlineMs) ms for live bids, drop bids under \(auctions.floorPriceCents) cents, "
                  + (auctions.tryNextBid ? "and offer a rejected lead to the next bid" : "and do not offer a rejected lead to the next bid"))
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tenants.")
        @OptionGroup var database: DatabaseOption
        @Flag(help: "Print one JSON object.") var json = false

        func run() throws {
            let store = try openStore(database)
            defer { try? store.close() }
            let all = try Tenants(store: store, clock: SystemClock()).all()
            if json { try printJSON(["tenants": all]); return }
            if all.isEmpty { print("No tenants yet: leadline tenant create NAME"); return }
            for tenant in all { print("\(tenant.id)  \(tenant.name)  created \(tenant.createdAt)") }
        }
    }
}
