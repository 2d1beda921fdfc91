// In-process throughput of the compliance gate and of do-not-call lookups (run by Tests/Benchmarks/compliance.sh).
// Prints numbers; asserts nothing.
import Foundation
import LeadlineCore
import Store

let folder = FileManager.default.temporaryDirectory.appendingPathComponent("leadline-bench-\(UUID().uuidString)").path
try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: folder) }
let store = try SQLiteStore(path: folder + "/bench.db", migrations: Schema.migrations)
let clock = ManualClock(Date(timeIntervalSince1970: 1_773_244_800))   // a Wednesday, 12:00 in New York
let tenant = try Tenants(store: store, clock: clock).create(name: "bench").id
let gate = ComplianceGate(store: store, clock: clock, dnc: DNCRegistry(store: store, clock: clock), blackouts: Blackouts(store: store, clock: clock))

func seconds(_ duration: Duration) -> Double { Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18 }

// A 1,000,000-number federal list over 20 area codes, written as a registry file and imported.
let areaCodes = [201, 212, 305, 310, 312, 404, 415, 469, 503, 602, 617, 702, 713, 720, 808, 850, 904, 917, 949, 972]
var generator = SystemRandomNumberGenerator()
var text = ""
text.reserveCapacity(11_000_000)
for i in 0..<1_000_000 { text += "\(areaCodes[i % 20])\(String(format: "%07d", Int.random(in: 0..<10_000_000, using: &generator)))\n" }
let file = folder + "/federal.txt"
FileManager.default.createFile(atPath: file, contents: Data(text.utf8))
var started = ContinuousClock.now
let report = try gate.dnc.importFile(tenantID: tenant, list: .federal, path: file, fileName: "federal.txt", changeList: false, actor: "bench")
print(String(format: "dnc import: %d lines, %d numbers on the list in %.2f s", report.lines, report.listSize, seconds(ContinuousClock.now - started)))

started = ContinuousClock.now
_ = LocalTimes()
print(String(format: "zone table (every offset change 2000–2100 of the zones in use): built in %.0f ms", seconds(ContinuousClock.now - started) * 1000))

// Lookups: all in the imported area codes, random.
let lists = try gate.dnc.lists(tenantID: tenant)
let probes = (0..<1_000_000).map { _ in areaCodes.randomElement()! * 10_000_000 + Int.random(in: 0..<10_000_000) }
var hits = 0
started = ContinuousClock.now
for _ in 0..<5 { for number in probes where lists.contains(number, in: .federal) { hits += 1 } }
var elapsed = seconds(ContinuousClock.now - started)
print(String(format: "dnc lookups: %.1f M/s on one core (%d hits in 5,000,000)", 5.0 / elapsed, hits))

// Gate decisions (no recording): a mix of states and channels, consent asserted, against the 1M-number list.
// Cap states (FL, OK, MD, ME, and FL area codes) read the attempts table: they are measured apart, below.
let states = USStates.codes.sorted().filter { !["FL", "OK", "MD", "ME"].contains($0) }
let uncapped = probes.filter { ![305, 850, 904].contains($0 / 10_000_000) }
let outreach = (0..<10_000).map { i in
    Outreach(tenantID: tenant, phone: "+1\(uncapped[i])", state: states[i % states.count], channel: i % 3 == 0 ? .aiCall : i % 3 == 1 ? .call : .sms,
             subject: "legal_pi", hasConsent: true)
}
var allowed = 0
let rounds = CommandLine.arguments.contains("--profile-gate") ? 200 : 20
started = ContinuousClock.now
for _ in 0..<rounds { for o in outreach where try gate.evaluate(o).allowed { allowed += 1 } }
elapsed = seconds(ContinuousClock.now - started)
print(String(format: "gate checks: %.0f k/s on one core (%d of %d allowed)", Double(rounds * outreach.count) / elapsed / 1000, allowed, rounds * outreach.count))
if CommandLine.arguments.contains("--profile-gate") { exit(0) }

let threads = ProcessInfo.processInfo.activeProcessorCount
started = ContinuousClock.now
DispatchQueue.concurrentPerform(iterations: threads) { _ in
    for _ in 0..<rounds { for o in outreach { _ = try? gate.evaluate(o) } }
}
elapsed = seconds(ContinuousClock.now - started)
print(String(format: "gate checks: %.0f k/s on %d threads", Double(threads * rounds * outreach.count) / elapsed / 1000, threads))

// With the cap states, each decision reads the attempts table.
let capped = (0..<10_000).map { i in Outreach(tenantID: tenant, phone: "+1\(probes[i])", state: ["FL", "OK", "MD"][i % 3], channel: .call,
                                               subject: "legal_pi", hasConsent: true) }
started = ContinuousClock.now
for o in capped { _ = try gate.evaluate(o) }
elapsed = seconds(ContinuousClock.now - started)
print(String(format: "gate checks in cap states (one SQLite read each): %.0f k/s", Double(capped.count) / elapsed / 1000))
try store.close()
