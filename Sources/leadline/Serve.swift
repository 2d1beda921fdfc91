import ArgumentParser
import Foundation
import LeadlineAPI
import LeadlineCore
import OutboundMail
import Simulator
import Store

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the HTTP server (JSON APIs, console, metrics).")

    @OptionGroup var database: DatabaseOption

    @Option(help: "HOST:PORT to listen on (env LEADLINE_LISTEN; default 127.0.0.1:8080). Port 0 picks a free port.")
    var listen: String?

    @Flag(help: "On an empty database: seed a demo tenant, campaigns, simulated buyers and destinations, an API key and a console user (printed), and keep simulated traffic running.")
    var demo = false

    @Option(help: "Server threads (default: the number of cores).")
    var threads: Int?

    @Option(name: .customLong("backup-every"), help: "Take a backup this often, e.g. 30m, 6h, 1d (into backups/ beside the database).")
    var backupEvery: String?

    @Option(name: .customLong("backup-keep"), help: "How many scheduled backups to keep.")
    var backupKeep = 7

    @Flag(name: .customLong("allow-private-targets"), help: "Let buyer and webhook URLs point at loopback or private addresses.")
    var allowPrivateTargets = false

    @Option(name: .customLong("clock-start"), help: "Run on a simulated clock starting at this RFC 3339 time (rehearsals).")
    var clockStart: String?

    @Option(name: .customLong("clock-speed"), help: "With --clock-start: how many times faster than real time the clock runs.")
    var clockSpeed: Double = 1

    @Option(help: "Who places the AI agent's calls: simulator (offline, the default), retell (Retell AI; env LEADLINE_RETELL_*) or none (leads are queued, not called).")
    var voice = "simulator"

    @Option(name: .customLong("voice-seed"), help: "Seed for the voice simulator's odds (numbers that are not test numbers).")
    var voiceSeed: UInt64 = 1

    @Option(name: .customLong("dns-resolver"), help: "The DNS resolver sending-domain checks ask, HOST or HOST:PORT (env LEADLINE_DNS_RESOLVER; default: /etc/resolv.conf's first).")
    var dnsResolver: String?

    @Option(help: "Where sequences' emails leave: simulator (the default) or smtp (env LEADLINE_SMTP_URL, _USERNAME, _PASSWORD, _CA_FILE, LEADLINE_MAIL_FROM).")
    var email = "simulator"

    @Option(help: "Where sequences' texts leave: simulator (the default) or twilio (env LEADLINE_TWILIO_ACCOUNT_SID, _AUTH_TOKEN, _FROM).")
    var sms = "simulator"

    @Option(name: .customLong("public-url"), help: "Where the server is reached from outside, for unsubscribe links and provider webhooks (env LEADLINE_PUBLIC_URL).")
    var publicURL: String?

    func validate() throws {
        if let backupEvery, Duration.parse(backupEvery) == nil {
            throw ValidationError("--backup-every takes a duration such as 30m, 6h or 1d, not '\(backupEvery)'")
        }
        if backupKeep < 1 { throw ValidationError("--backup-keep must be at least 1") }
        if let clockStart, Timestamp.parse(clockStart) == nil {
            throw ValidationError("--clock-start takes an RFC 3339 time such as 2026-07-06T13:00:00Z, not '\(clockStart)'")
        }
        if clockSpeed <= 0 { throw ValidationError("--clock-speed must be more than 0") }
        if !["simulator", "retell", "none"].contains(voice) { throw ValidationError("--voice must be simulator, retell or none") }
        if voice == "retell", environment("LEADLINE_RETELL_API_KEY") == nil {
            throw ValidationError("--voice retell needs LEADLINE_RETELL_API_KEY (the Retell API key with the webhook badge)")
        }
        if !["simulator", "smtp"].contains(email) { throw ValidationError("--email must be simulator or smtp") }
        if email == "smtp" {
            guard let url = environment("LEADLINE_SMTP_URL"), SMTPSettings.checkedURL(url) != nil else {
                throw ValidationError("--email smtp needs LEADLINE_SMTP_URL, smtp://HOST:587 (STARTTLS) or smtps://HOST:465")
            }
            guard let from = environment("LEADLINE_MAIL_FROM"), MailAddress.parse(from) != nil else {
                throw ValidationError("--email smtp needs LEADLINE_MAIL_FROM, the sender, e.g. 'Acme Intake <hello@acme.example>'")
            }
        }
        if !["simulator", "twilio"].contains(sms) { throw ValidationError("--sms must be simulator or twilio") }
        if sms == "twilio" {
            for name in ["LEADLINE_TWILIO_ACCOUNT_SID", "LEADLINE_TWILIO_AUTH_TOKEN", "LEADLINE_TWILIO_FROM"] where environment(name) == nil {
                throw ValidationError("--sms twilio needs \(name)")
            }
        }
        if let url = publicURL ?? environment("LEADLINE_PUBLIC_URL"), !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
            throw ValidationError("--public-url takes an http:// or https:// URL, not '\(url)'")
        }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if let dnsResolver, DNSClient.resolver(dnsResolver) == nil {
            throw ValidationError("--dns-resolver takes HOST or HOST:PORT (an IPv4 address), not '\(dnsResolver)'")
        }
    }

    func run() throws {
        let signals = TerminationSignals()

        var options = ServeOptions(databasePath: database.path)
        options.listen = listen ?? environment("LEADLINE_LISTEN") ?? "127.0.0.1:8080"
        if let threads { options.threads = threads }
        options.allowPrivateTargets = allowPrivateTargets || demo
        if let backupEvery, let interval = Duration.parse(backupEvery) {
            options.backupSchedule = BackupSchedule(interval: interval, keep: backupKeep)
        }
        if let clockStart, let start = Timestamp.parse(clockStart) {
            options.clock = SimulatedClock(start: start, speed: clockSpeed)
        }
        if voice == "simulator" {
            // Simulated calls take their simulated time, at the clock's speed.
            options.voice = SimulatedVoice(seed: voiceSeed, pace: 1 / (clockStart == nil ? 1 : clockSpeed))
        }
        options.dnsResolver = dnsResolver ?? environment("LEADLINE_DNS_RESOLVER")
        options.spfInclude = environment("LEADLINE_SPF_INCLUDE")
        // Sequences' texts and emails go to the simulator unless a real channel is configured.
        options.messages = SimulatedMessages()
        if let url = publicURL ?? environment("LEADLINE_PUBLIC_URL") { options.publicURL = url }
        if email == "smtp", let url = environment("LEADLINE_SMTP_URL"), let from = environment("LEADLINE_MAIL_FROM").flatMap(MailAddress.parse) {
            var smtp = SMTPSettings(url: url, username: environment("LEADLINE_SMTP_USERNAME"), password: environment("LEADLINE_SMTP_PASSWORD"))
            smtp.caFile = environment("LEADLINE_SMTP_CA_FILE")
            smtp.requireTLS = environment("LEADLINE_SMTP_TLS") != "optional"
            options.smtp = smtp
            options.mailFrom = from
        }
        if sms == "twilio", let sid = environment("LEADLINE_TWILIO_ACCOUNT_SID"), let token = environment("LEADLINE_TWILIO_AUTH_TOKEN"),
           let from = environment("LEADLINE_TWILIO_FROM") {
            var twilio = TwilioSettings(accountSID: sid, authToken: token, from: from)
            if let base = environment("LEADLINE_TWILIO_BASE_URL") { twilio.baseURL = base }
            options.twilio = twilio
        }
        if voice == "retell", let key = environment("LEADLINE_RETELL_API_KEY") {
            var retell = RetellSettings(apiKey: key, agentID: environment("LEADLINE_RETELL_AGENT_ID"),
                                        fromNumber: environment("LEADLINE_RETELL_FROM_NUMBER"))
            if let base = environment("LEADLINE_RETELL_BASE_URL") { retell.baseURL = base }
            options.retell = retell
        }

        OpenFileLimit.raise()
        let lock = try DatabaseLock(databasePath: options.databasePath)
        // A restore an operator staged in the console happens now, before the database is opened.
        if let done = try BackupFolder(databasePath: options.databasePath).performRequestedRestore(migrations: Schema.migrations) {
            print("Restored \(done.restored) as staged in the console\(done.saved.map { "; the database it replaced is saved at \($0)" } ?? "").")
        }
        let server = try LeadlineServer(options)
        let seeded = demo ? try DemoSeed.prepare(tenants: server.tenants, keys: server.keys, users: server.console.users) : nil
        if demo && seeded == nil {
            print("--demo: this database holds other data than the demo's, so no demo data or traffic is added to it.")
        }
        if let key = seeded?.key {
            print("Demo tenant '\(DemoSeed.tenantName)' created. Its API key (shown once, all scopes):")
            print("  \(key.token)")
        }
        try server.start()
        let host = options.listen.hasPrefix("[") ? String(options.listen[..<options.listen.lastIndex(of: ":")!])
                                                  : String(options.listen.split(separator: ":").first ?? "127.0.0.1")
        print("Leadline is listening on http://\(host.isEmpty ? "0.0.0.0" : host):\(server.port) (database \(options.databasePath))")
        if let path = try server.console.firstRunPath() {
            // The one way in for the first administrator: a one-time link, valid until it is used.
            print("No console user yet. Create the first administrator at http://\(host.isEmpty ? "127.0.0.1" : host):\(server.port)\(path)")
        }
        var flow: DemoFlow?
        if let seeded {
            let local = ["", "0.0.0.0"].contains(host) ? "127.0.0.1" : host == "[::]" ? "[::1]" : host
            let started = DemoFlow(base: "http://\(local):\(server.port)", key: seeded.trafficKey.token)
            try runBlocking { try await started.start() }
            flow = started
            if let email = seeded.adminEmail, let password = seeded.adminPassword {
                print("Console: http://\(local):\(server.port)/admin  sign in as \(email) with password \(password) (shown once)")
            }
            print("Demo traffic is running: a lead every ten seconds or so, bids from mock buyers, calls and transfers by the voice simulator, postbacks.")
        }
        fflush(nil)

        let received = signals.wait()
        print("Received \(received == SIGINT ? "SIGINT" : "SIGTERM"); finishing requests in flight…")
        fflush(nil)
        flow?.stop()
        server.stop()
        withExtendedLifetime(lock) {}
        print("Stopped cleanly.")
    }
}

extension Duration {
    /// `90s`, `30m`, `6h`, `1d`.
    static func parse(_ text: String) -> Duration? { Scenario.seconds(text).map { .seconds($0) } }
}
