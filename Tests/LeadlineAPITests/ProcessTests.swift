import Foundation
import GRDB
import LeadlineCore
import Store
import LeadlineTesting
import Synchronization
import Testing

/// The real binary, as an operator runs it.
@Suite struct CommandLineTests {
    let folder = TemporaryDirectory()
    var db: String { folder.file("cli.db") }

    func run(_ arguments: [String]) async throws -> LeadlineBinary.Outcome {
        try await blocking { try LeadlineBinary.run(arguments) }
    }

    /// A server started with the usual soft limit of open files would run out of them with a dozen busy live buyers
    /// (up to 64 connections each): `serve` raises the soft limit to the hard one.
    @Test func serveRaisesItsOpenFileLimit() async throws {
        let db = self.db
        try await blocking { () throws in
            let serve = try ServeProcess(database: db, softOpenFileLimit: 256)
            let limits = try String(contentsOfFile: "/proc/\(serve.process.processIdentifier)/limits", encoding: .utf8)
            let line = try #require(limits.split(separator: "\n").first { $0.hasPrefix("Max open files") })
            let fields = line.split(separator: " ")  // Max open files SOFT HARD files
            let soft = String(fields[3]), hard = String(fields[4])
            #expect(soft != "256")
            #expect(soft == hard || Int(soft) == 1 << 20, "raised to the hard limit (\(hard)), or to 1,048,576 when that is higher")
            serve.signal(SIGTERM)
            #expect(serve.wait().status == 0)
        }
    }

    @Test func tenantsAndKeysWithJSONOutput() async throws {
        let tenant = try await run(["tenant", "create", "acme", "--db", db, "--json"])
        #expect(tenant.status == 0)
        let tenantJSON = try #require(try JSONSerialization.jsonObject(with: Data(tenant.stdout.utf8)) as? [String: Any])
        #expect(tenantJSON["name"] as? String == "acme")

        let key = try await run(["key", "create", "--tenant", "acme", "--scopes", "read,write", "--rate-limit", "250", "--name", "pub", "--json", "--db", db])
        #expect(key.status == 0, "\(key.stderr)")
        let keyJSON = try #require(try JSONSerialization.jsonObject(with: Data(key.stdout.utf8)) as? [String: Any])
        #expect(Set(keyJSON.keys) == ["id", "key", "tenant", "scopes", "rate_limit_per_minute"])
        #expect(keyJSON["tenant"] as? String == "acme")
        #expect(keyJSON["scopes"] as? [String] == ["read", "write"])
        #expect(keyJSON["rate_limit_per_minute"] as? Int == 250)
        #expect((keyJSON["key"] as? String)?.hasPrefix("ll_") == true)

        let list = try await run(["tenant", "list", "--json", "--db", db])
        #expect(list.stdout.contains("\"acme\""))
        let keys = try await run(["key", "list", "--json", "--db", db])
        #expect(!keys.stdout.contains(keyJSON["key"] as! String))
        let revoke = try await run(["key", "revoke", keyJSON["id"] as! String, "--db", db])
        #expect(revoke.status == 0)
        #expect(try await run(["key", "list", "--json", "--db", db]).stdout.contains("\"revoked_at\":\"20"))
    }

    @Test func usageErrorsExit2AndFailuresExit1() async throws {
        #expect(try await run(["key", "create", "--db", db]).status == 2)
        #expect(try await run(["key", "create", "--tenant", "x", "--scopes", "root", "--db", db]).status == 2)
        #expect(try await run(["no-such-command"]).status == 2)
        let unknownTenant = try await run(["key", "create", "--tenant", "nobody", "--scopes", "read", "--db", db])
        #expect(unknownTenant.status == 1)
        #expect(unknownTenant.stderr.contains("tenant 'nobody' not found"))
        #expect(try await run(["serve", "--backup-every", "often", "--db", db]).status == 2)
        // A real channel without its settings is refused before anything starts, naming what is missing.
        let noRelay = try await run(["serve", "--email", "smtp", "--db", db])
        #expect(noRelay.status == 2 && noRelay.stderr.contains("LEADLINE_SMTP_URL"))
        let noTwilio = try await run(["serve", "--sms", "twilio", "--db", db])
        #expect(noTwilio.status == 2 && noTwilio.stderr.contains("LEADLINE_TWILIO_ACCOUNT_SID"))
        #expect(try await run(["serve", "--public-url", "leads.example.com", "--db", db]).status == 2)
        #expect(try await run(["--help"]).status == 0)
    }

    @Test func databaseComesFromFlagThenEnvironment() async throws {
        let fromEnv = folder.file("env.db")
        let outcome = try await blocking { try LeadlineBinary.run(["tenant", "create", "viaenv"], environment: ["LEADLINE_DB": fromEnv]) }
        #expect(outcome.status == 0)
        #expect(FileManager.default.fileExists(atPath: fromEnv))
        let list = try await blocking { try LeadlineBinary.run(["tenant", "list", "--db", db], environment: ["LEADLINE_DB": fromEnv]) }
        #expect(!list.stdout.contains("viaenv"), "--db wins over LEADLINE_DB")
    }

    @Test func migrateStatusVerifyBackupAndRestore() async throws {
        let pending = try await run(["migrate", "--status", "--db", db])
        #expect(pending.stdout.contains("pending  0001_tenants_and_api_keys"))
        #expect(!FileManager.default.fileExists(atPath: db), "--status changes nothing")
        let migrated = try await run(["migrate", "--db", db])
        #expect(migrated.status == 0)
        #expect(try await run(["migrate", "--status", "--db", db]).stdout.contains("applied  0001_tenants_and_api_keys"))
        _ = try await run(["tenant", "create", "before-backup", "--db", db])
        #expect(try await run(["verify", "--db", db]).status == 0)

        let backup = folder.file("copy.db")
        #expect(try await run(["backup", backup, "--db", db]).status == 0)
        _ = try await run(["tenant", "create", "after-backup", "--db", db])
        let restored = try await run(["restore", backup, "--db", db])
        #expect(restored.status == 0, "\(restored.stderr)")
        #expect(restored.stdout.contains("pre-restore-"))
        let tenants = try await run(["tenant", "list", "--db", db])
        #expect(tenants.stdout.contains("before-backup"))
        #expect(!tenants.stdout.contains("after-backup"))

        let junk = folder.file("junk.db")
        try Data("not a database at all, just text".utf8).write(to: URL(fileURLWithPath: junk))
        let refused = try await run(["restore", junk, "--db", db])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("not a Leadline database"))
        #expect(try await run(["tenant", "list", "--db", db]).stdout.contains("before-backup"))
    }
}

@Suite struct ServeProcessTests {
    @Test func sigtermFinishesCleanlyAndRestoreIsRefusedWhileServing() async throws {
        let folder = TemporaryDirectory()
        let db = folder.file("serve.db")
        try await blocking { () throws in
            let serve = try ServeProcess(database: db, extraArguments: ["--demo"])
            #expect(serve.printed.contains("Demo tenant 'demo' created"))
            #expect(try http(serve.port, "GET", "/healthz").status == 200)

            let backup = folder.file("b.db")
            #expect(try LeadlineBinary.run(["backup", backup, "--db", db]).status == 0)
            let refused = try LeadlineBinary.run(["restore", backup, "--db", db])
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("in use by a running"))
            let second = try LeadlineBinary.run(["serve", "--db", db, "--listen", "127.0.0.1:0"])
            #expect(second.status == 1, "a second server on the same database is refused")

            serve.signal(SIGTERM)
            let ended = serve.wait()
            #expect(ended.status == 0)
            #expect(ended.output.contains("Stopped cleanly"))
            let walSize = (try? FileManager.default.attributesOfItem(atPath: db + "-wal")[.size] as? Int) ?? 0
            #expect(walSize == 0, "a clean stop checkpoints the WAL into the database file")
            #expect(try LeadlineBinary.run(["verify", "--db", db]).status == 0)
        }
    }

    @Test func everyAcknowledgedWriteSurvivesKill9() async throws {
        let folder = TemporaryDirectory()
        let db = folder.file("crash.db")
        try await blocking { () throws in
            _ = try LeadlineBinary.run(["tenant", "create", "acme", "--db", db])
            let created = try LeadlineBinary.run(["key", "create", "--tenant", "acme", "--scopes", "admin", "--rate-limit", "0", "--json", "--db", db])
            let admin = try #require((try JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: Any])?["key"] as? String)

            let serve = try ServeProcess(database: db)
            let port = serve.port
            let acknowledged = Mutex<[String]>([])
            let stop = Atomic<Bool>(false)
            let group = DispatchGroup()
            for _ in 0..<8 {
                onThread(group) {
                    guard let connection = try? HTTPConnection(port: port) else { return }
                    while !stop.load(ordering: .relaxed) {
                        guard let reply = try? connection.request(
                            "POST", "/v1/keys", headers: ["Authorization": "Bearer \(admin)", "Content-Type": "application/json"],
                            body: jsonBody(["name": "crash", "scopes": ["read"]])) else { return }
                        if reply.status == 201, let id = (try? reply.json())?["id"] as? String {
                            acknowledged.withLock { $0.append(id) }
                        }
                    }
                }
            }
            while acknowledged.withLock({ $0.count }) < 400 { usleep(2000) }
            serve.signal(SIGKILL)
            stop.store(true, ordering: .relaxed)
            let ended = serve.wait()
            #expect(ended.reason == .uncaughtSignal)
            group.wait()

            let ids = acknowledged.withLock { $0 }
            #expect(ids.count >= 400)
            let verify = try LeadlineBinary.run(["verify", "--db", db])
            #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
            let queue = try DatabaseQueue(path: db)
            let stored = Set(try queue.read { db in try String.fetchAll(db, sql: "SELECT id FROM api_keys") })
            try queue.close()
            let missing = ids.filter { !stored.contains($0) }
            #expect(missing.isEmpty, "\(missing.count) acknowledged writes were lost")

            // And the server starts again on the same file.
            let again = try ServeProcess(database: db)
            #expect(try http(again.port, "GET", "/v1/me", headers: ["Authorization": "Bearer \(admin)"]).status == 200)
            again.signal(SIGTERM)
            #expect(again.wait().status == 0)
        }
    }
}

@Suite struct ScheduledBackupTests {
    @Test func serveTakesBackupsOnScheduleAndKeepsTheNewest() async throws {
        let folder = TemporaryDirectory()
        let db = folder.file("scheduled.db")
        try await blocking { () throws in
            let serve = try ServeProcess(database: db, extraArguments: ["--backup-every", "1s", "--backup-keep", "2", "--demo"])
            let backups = folder.file("backups")
            func scheduled() -> [String] {
                ((try? FileManager.default.contentsOfDirectory(atPath: backups)) ?? []).filter { $0.hasPrefix("leadline-") && $0.hasSuffix(".db") }.sorted()
            }
            // Backups are stamped to the second; wait until three have been written (one of them pruned). A backup being
            // written is a `.partial` file until it is renamed: only finished ones count.
            var seen = Set<String>()
            let deadline = Date().addingTimeInterval(20)
            while seen.count < 3 && Date() < deadline {
                seen.formUnion(scheduled())
                usleep(100_000)
            }
            #expect(seen.count >= 3)
            #expect(scheduled().count <= 2, "only the newest two are kept")
            let newest = try #require(scheduled().last)
            serve.signal(SIGTERM)
            #expect(serve.wait().status == 0)

            // A scheduled backup is a sound database that restores.
            let restored = try LeadlineBinary.run(["restore", (backups as NSString).appendingPathComponent(newest), "--db", db])
            #expect(restored.status == 0, "\(restored.stderr)")
            #expect(try LeadlineBinary.run(["tenant", "list", "--db", db]).stdout.contains("demo"))
        }
    }
}

@Suite struct VersionTests {
    @Test func versionNamesTheLibrariesBuiltIn() async throws {
        let outcome = try await blocking { try LeadlineBinary.run(["version", "--json"]) }
        #expect(outcome.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: String])
        #expect(json["leadline"] == "0.1.0")
        #expect(json["libmicrohttpd"]?.hasPrefix("0.9.") == true)
        #expect(json["sqlite"]?.hasPrefix("3.") == true)
        #expect(json["openssl"]?.hasPrefix("OpenSSL 3.") == true)
        #expect(json["libcurl"]?.hasPrefix("libcurl/") == true)
        #expect(json["linking"] == "dynamic", "tests run the debug build")
        #expect(try await blocking { try LeadlineBinary.run(["--version"]) }.stdout == "0.1.0\n")
    }
}

@Suite struct TenantDedupTests {
    @Test func dedupRuleIsConfigurablePerTenant() async throws {
        let folder = TemporaryDirectory()
        let db = folder.file("dedup.db")
        try await blocking { () throws in
            _ = try LeadlineBinary.run(["tenant", "create", "acme", "--db", db])
            let shown = try LeadlineBinary.run(["tenant", "configure", "acme", "--json", "--db", db])
            #expect(shown.stdout.contains(#""dedup_by_email":false"#) && shown.stdout.contains(#""dedup_window_days":30"#))
            let changed = try LeadlineBinary.run(["tenant", "configure", "acme", "--dedup-window-days", "7", "--dedup-by-email", "on", "--db", db])
            #expect(changed.status == 0)
            #expect(changed.stdout.contains("within 7 day(s) on phone or email"))
            #expect(try LeadlineBinary.run(["tenant", "configure", "acme", "--dedup-window-days", "5000", "--db", db]).status == 1)
            #expect(try LeadlineBinary.run(["tenant", "configure", "acme", "--dedup-by-email", "maybe", "--db", db]).status == 2)
            // The same command sets how its auctions run.
            #expect(shown.stdout.contains(#""auction_deadline_ms":1000"#) && shown.stdout.contains(#""try_next_bid":true"#))
            let auctions = try LeadlineBinary.run(["tenant", "configure", "acme", "--auction-deadline-ms", "250", "--floor-price-cents", "1500",
                                                   "--try-next-bid", "off", "--json", "--db", db])
            #expect(auctions.stdout.contains(#""auction_deadline_ms":250"#) && auctions.stdout.contains(#""floor_price_cents":1500"#)
                    && auctions.stdout.contains(#""try_next_bid":false"#))
            #expect(try LeadlineBinary.run(["tenant", "configure", "acme", "--auction-deadline-ms", "5", "--db", db]).status == 1)
        }
        // The rule is what intake applies: same email, other phone, within 7 days → the same lead.
        let store = try SQLiteStore(path: db, migrations: Schema.migrations)
        defer { try? store.close() }
        let clock = ManualClock(Date())
        let tenant = try Tenants(store: store, clock: clock).named("acme")
        let leads = Leads(store: store, clock: clock)
        let first = try await leads.intake(tenantID: tenant.id, LeadInput(phone: "7025550142", email: "jo@example.com"), options: .init(actor: "test"))
        let second = try await leads.intake(tenantID: tenant.id, LeadInput(phone: "7025550143", email: "JO@example.com"), options: .init(actor: "test"))
        guard case .duplicate(let same) = second else { Issue.record("expected a duplicate by email"); return }
        #expect(same.id == first.lead.id)
        clock.advance(by: 8 * 86400)
        guard case .created = try await leads.intake(tenantID: tenant.id, LeadInput(phone: "7025550142"), options: .init(actor: "test")) else {
            Issue.record("outside 7 days it is a new lead"); return
        }
        try Tenants(store: store, clock: clock).setDedupRule(tenantID: tenant.id, .init(windowDays: 0, byEmail: false))
        guard case .created = try await leads.intake(tenantID: tenant.id, LeadInput(phone: "7025550142"), options: .init(actor: "test")) else {
            Issue.record("with dedup off every submission is a lead"); return
        }
    }
}

@Suite struct ImportCommandTests {
    @Test func importsAFileAndWritesRejects() async throws {
        let folder = TemporaryDirectory()
        let db = folder.file("import.db"), csv = folder.file("leads.csv"), rejects = folder.file("rejects.csv")
        try Data("Phone,First Name,ST\r\n5551234567,Jane,TX\r\n555-CALL-NOW,Bad,TX\r\n(555) 123-4567,Jane,TX\r\n".utf8)
            .write(to: URL(fileURLWithPath: csv))
        try await blocking { () throws in
            _ = try LeadlineBinary.run(["tenant", "create", "acme", "--db", db])
            let first = try LeadlineBinary.run(["import", csv, "--tenant", "acme", "--rejects", rejects, "--json", "--db", db])
            #expect(first.status == 0, "\(first.stderr)")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])
            #expect(report["rows"] as? Int == 3)
            #expect(report["created"] as? Int == 1)
            #expect(report["duplicate"] as? Int == 1)
            #expect(report["rejected"] as? Int == 1)
            let rejected = try String(contentsOfFile: rejects, encoding: .utf8)
            #expect(rejected.hasPrefix("row,reasons\n3,\"phone: "))
            let again = try LeadlineBinary.run(["import", csv, "--tenant", "acme", "--db", db])
            #expect(again.stdout.contains("0 created, 2 duplicate, 1 rejected"))
            #expect(try LeadlineBinary.run(["import", folder.file("missing.csv"), "--tenant", "acme", "--db", db]).status == 1)
            let noPhone = folder.file("nophone.csv")
            try Data("name,email\nJane,j@example.com\n".utf8).write(to: URL(fileURLWithPath: noPhone))
            let refused = try LeadlineBinary.run(["import", noPhone, "--tenant", "acme", "--db", db])
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("no phone column"))
        }
    }

    @Test func importsADoNotCallFileAndChecksNumbers() async throws {
        let folder = TemporaryDirectory()
        let db = folder.file("dnc.db"), file = folder.file("federal.txt"), changes = folder.file("changes.txt")
        try Data("7025551234\n702,5551235\nbad\n".utf8).write(to: URL(fileURLWithPath: file))
        try Data("702,5551235,D\n".utf8).write(to: URL(fileURLWithPath: changes))
        try await blocking { () throws in
            _ = try LeadlineBinary.run(["tenant", "create", "acme", "--db", db])
            let imported = try LeadlineBinary.run(["dnc", "import", file, "--tenant", "acme", "--json", "--db", db])
            #expect(imported.status == 0, "\(imported.stderr)")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(imported.stdout.utf8)) as? [String: Any])
            #expect(report["added"] as? Int == 2 && report["rejected"] as? Int == 1 && report["list_size"] as? Int == 2)
            #expect(try LeadlineBinary.run(["dnc", "check", "(702) 555-1235", "--tenant", "acme", "--db", db]).stdout == "+17025551235: on federal\n")
            let changed = try LeadlineBinary.run(["dnc", "import", changes, "--changes", "--tenant", "acme", "--db", db])
            #expect(changed.stdout.contains("1 removed"), "\(changed.stdout)")
            #expect(try LeadlineBinary.run(["dnc", "check", "7025551235", "--tenant", "acme", "--db", db]).stdout.contains("on no list"))
            let state = folder.file("tx.txt")
            try Data("2145550100\n".utf8).write(to: URL(fileURLWithPath: state))
            #expect(try LeadlineBinary.run(["dnc", "import", state, "--list", "tx", "--tenant", "acme", "--db", db]).status == 0)
            #expect(try LeadlineBinary.run(["dnc", "check", "2145550100", "--tenant", "acme", "--db", db]).stdout.contains("on state:TX"))
            #expect(try LeadlineBinary.run(["dnc", "import", state, "--list", "ZZ", "--tenant", "acme", "--db", db]).status == 1)
        }
    }

    @Test func consoleUsersFromTheCommandLine() async throws {
        let folder = TemporaryDirectory()
        let db = folder.file("admin.db")
        try await blocking { () throws in
            _ = try LeadlineBinary.run(["tenant", "create", "acme", "--db", db])
            let made = try LeadlineBinary.run(["admin", "create", "ops@example.com", "--json", "--db", db])
            #expect(made.status == 0, "\(made.stderr)")
            let output = try #require(try JSONSerialization.jsonObject(with: Data(made.stdout.utf8)) as? [String: Any])
            #expect(output["role"] as? String == "operator")
            #expect((output["password"] as? String)?.count == 20, "a generated password is shown once")
            let viewer = try LeadlineBinary.run(["admin", "create", "v@example.com", "--role", "viewer", "--tenant", "acme", "--password-stdin",
                                                 "--db", db], stdin: "a long enough password\n")
            #expect(viewer.status == 0 && !viewer.stdout.contains("Password"), "\(viewer.stderr)")
            let short = try LeadlineBinary.run(["admin", "create", "x@example.com", "--password-stdin", "--db", db], stdin: "short\n")
            #expect(short.status == 1 && short.stderr.contains("at least 12"))
            let reset = try LeadlineBinary.run(["admin", "reset-password", "ops@example.com", "--db", db])
            #expect(reset.status == 0 && reset.stdout.contains("Password (shown once): "))
            #expect(try LeadlineBinary.run(["admin", "reset-password", "nobody@example.com", "--db", db]).status == 1)
        }
    }
}
