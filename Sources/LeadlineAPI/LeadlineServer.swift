import Foundation
import HTTPServer
import LeadlineAdmin
import LeadlineCore
import Logging
import OutboundHTTP
import OutboundMail
import Prometheus
import Store
import Synchronization

public struct ServeOptions: Sendable {
    public var databasePath: String
    public var listen: String = "127.0.0.1:8080"
    public var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    public var clock: any Clock = SystemClock()
    /// Lets outbound URLs (buyers, webhooks) point at loopback or private addresses; read by the outbound HTTP client.
    public var allowPrivateTargets = false
    /// Largest JSON body accepted.
    public var maxBodyBytes = 1 << 20
    /// Largest CSV upload accepted by `POST /v1/imports` (written to disk as it arrives, never held in memory).
    public var maxUploadBytes = 2 << 30
    public var backupSchedule: BackupSchedule?
    public var drainTimeout: Duration = .seconds(30)
    /// How often the outbox worker looks for webhooks due when it found none.
    public var outboxPollInterval: Duration = .milliseconds(500)
    /// Who places the AI agent's calls (the CLI's default is the simulator); nil: leads are queued but not called.
    public var voice: (any VoiceProvider)?
    /// Calls placed through Retell AI instead (it needs the server's outbound client and webhook routes).
    public var retell: RetellSettings?
    /// Whether the dialer runs in the background (tests may drive it by hand with `dialer.runDue()`).
    public var runsDialer = true
    /// How often the dialer looks for calls due when it found none.
    public var dialerPollInterval: Duration = .seconds(1)
    /// Where sequences' texts and emails leave unless a real channel is set below (the CLI's default is the
    /// simulator); nil: those steps fail.
    public var messages: (any MessageSender)?
    /// Emails over this SMTP relay instead, from `mailFrom` (a tenant with a verified sending domain sends as the same
    /// local part at its domain, DKIM-signed).
    public var smtp: SMTPSettings?
    public var mailFrom: MailAddress?
    /// Texts through Twilio's Messages API instead; replies arrive at `/v1/sms/twilio/inbound`.
    public var twilio: TwilioSettings?
    /// Where the server is reached from outside (unsubscribe links, the URL Twilio signs).
    public var publicURL = "http://127.0.0.1:8080"
    /// The DNS resolver domain checks ask (`HOST` or `HOST:PORT`); nil: the first nameserver of /etc/resolv.conf.
    public var dnsResolver: String?
    /// The SPF mechanism sending domains must include for the mail relay (`_spf.relay.example`); nil: any SPF record.
    public var spfInclude: String?
    /// Whether sequence steps run in the background (tests may drive them by hand with `sequenceRunner.runDue()`).
    public var runsSequences = true

    public init(databasePath: String) { self.databasePath = databasePath }
}

/// The whole server: the store, the core services, and the HTTP faces over them.
public final class LeadlineServer: @unchecked Sendable {
    /// This build's version (`leadline --version`, the OpenAPI description).
    public static let version = "0.1.0"
    public let options: ServeOptions
    public let store: SQLiteStore
    public let tenants: Tenants
    public let keys: APIKeys
    public let limiter: RateLimiter
    public let leads: Leads
    public let consents: Consents
    public let imports: ImportJobs
    public let gate: ComplianceGate
    public let buyers: Buyers
    public let campaigns: Campaigns
    public let exchange: Exchange
    public let billing: Billing
    public let reports: Reports
    public let outbox: OutboxWorker
    public let destinations: Destinations
    public let calls: Calls
    /// Set when Retell places the calls.
    public let retell: RetellVoice?
    public let dialer: Dialer
    public let callRecords: CallRecords
    public let postbacks: Postbacks
    public let sequences: Sequences
    public let sequenceRunner: SequenceRunner
    public let domains: SendingDomains
    public let console: Console
    /// Every request to a URL a tenant configured (buyers, webhooks) goes through this client.
    public let outbound = OutboundClient(userAgent: "Leadline")
    /// Which addresses those URLs may reach.
    public let targets: AddressPolicy
    public let metrics: PrometheusCollectorRegistry
    let http: HTTPServer
    /// Every route served: method and path pattern (`/api/v1/leads/{id}`), console pages included.
    public let routeTable: [(method: String, path: String)]
    let logger = Logger(label: "leadline")
    private let backups = Mutex<Task<Void, Never>?>(nil)

    public var port: UInt16 { http.port }

    public init(_ options: ServeOptions) throws {
        self.options = options
        targets = AddressPolicy(allowPrivate: options.allowPrivateTargets)
        let metrics = PrometheusCollectorRegistry()
        self.metrics = metrics
        var storeOptions = SQLiteStore.Options()
        let batches = metrics.makeValueHistogram(
            descriptor: MetricNameDescriptor(namespace: "leadline", subsystem: "db", metricName: "write_batch", unitName: "size",
                                             helpText: "Writes carried by each group commit"),
            buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000])
        storeOptions.onBatchCommitted = { batches.record(Double($0)) }
        let walBytes = metrics.makeGauge(descriptor: MetricNameDescriptor(
            namespace: "leadline", subsystem: "db", metricName: "wal", unitName: "bytes",
            helpText: "Size of the write-ahead log file (bounded near 512 MB under steady writes, truncated when they pause)"))
        storeOptions.onWALSize = { walBytes.set(Double($0)) }
        let catchUps = metrics.makeCounter(descriptor: MetricNameDescriptor(
            namespace: "leadline", subsystem: "db", metricName: "wal_catch_ups", unitName: "total",
            helpText: "Times the writer caught the write-ahead log up so that it could start over"))
        storeOptions.onWALCaughtUp = { catchUps.increment() }
        store = try SQLiteStore(path: options.databasePath, migrations: Schema.migrations, options: storeOptions)
        tenants = Tenants(store: store, clock: options.clock)
        keys = APIKeys(store: store, clock: options.clock)
        limiter = RateLimiter(clock: options.clock)
        // Eligible new leads of a campaign are auctioned as they arrive; the router is connected to the exchange below.
        let router = LeadRouter()
        var leads = Leads(store: store, clock: options.clock)
        leads.onEligibleLead = { router.route($0) }
        self.leads = leads
        consents = Consents(store: store, clock: options.clock)
        // Uploads are written beside the database (not /tmp, which may be small or another file system) and kept
        // there until their import ends.
        let importsDirectory = options.databasePath + ".imports"
        try FileManager.default.createDirectory(atPath: importsDirectory, withIntermediateDirectories: true)
        imports = ImportJobs(store: store, leads: leads, clock: options.clock, directory: importsDirectory)
        gate = ComplianceGate(store: store, clock: options.clock, dnc: DNCRegistry(store: store, clock: options.clock),
                              blackouts: Blackouts(store: store, clock: options.clock))

        let secrets = try StoredSecrets.open(keyFile: StoredSecrets.keyFile(forDatabase: options.databasePath))
        buyers = Buyers(store: store, clock: options.clock, secrets: secrets, policy: targets)
        campaigns = Campaigns(store: store, clock: options.clock, policy: targets, secrets: secrets)
        exchange = Exchange(store: store, clock: options.clock, buyers: buyers, leads: leads, outbound: outbound)
        router.connect(exchange)
        billing = Billing(store: store, clock: options.clock, buyers: buyers)
        reports = Reports(store: store, clock: options.clock)
        outbox = OutboxWorker(store: store, clock: options.clock, outbound: outbound, buyers: buyers, campaigns: campaigns,
                              pollInterval: options.outboxPollInterval)

        destinations = Destinations(store: store, clock: options.clock)
        if let settings = options.retell {
            retell = RetellVoice(settings: settings, outbound: outbound, policy: targets)
        } else {
            retell = nil
        }
        calls = Calls(store: store, clock: options.clock, gate: gate, provider: retell ?? options.voice)
        dialer = Dialer(store: store, clock: options.clock, calls: calls, pollInterval: options.dialerPollInterval)
        callRecords = CallRecords(store: store)
        postbacks = Postbacks(store: store, clock: options.clock, secrets: secrets)
        sequences = Sequences(store: store, clock: options.clock)
        domains = SendingDomains(store: store, clock: options.clock, secrets: secrets, resolver: DNSClient.resolver(options.dnsResolver),
                                 spfInclude: options.spfInclude)
        let publicURL = options.publicURL.hasSuffix("/") ? String(options.publicURL.dropLast()) : options.publicURL
        let unsubscribes = Unsubscribes(store: store, secrets: secrets, dnc: gate.dnc, publicURL: publicURL)
        let email: (any MessageSender)? = if let smtp = options.smtp, let from = options.mailFrom {
            SMTPMailer(store: store, clock: options.clock, secrets: secrets, smtp: smtp, sender: from, unsubscribes: unsubscribes)
        } else {
            options.messages
        }
        let sms: (any MessageSender)? = if let twilio = options.twilio {
            TwilioSMS(settings: twilio, outbound: outbound, policy: targets)
        } else {
            options.messages
        }
        sequenceRunner = SequenceRunner(store: store, clock: options.clock, gate: gate, sender: MessageChannels(sms: sms, email: email))

        console = Console(store: store, clock: options.clock, users: AdminUsers(store: store, clock: options.clock), gate: gate,
                          tenants: tenants, buyers: buyers, campaigns: campaigns, exchange: exchange, leads: leads, keys: keys,
                          billing: billing, imports: imports, maxUploadBytes: options.maxUploadBytes, destinations: destinations,
                          callRecords: callRecords, calls: calls, postbacks: postbacks, sequences: sequences, domains: domains)

        var routes = Routes(keys: keys, limiter: limiter,
                            idempotency: Idempotency(records: IdempotencyRecords(store: store, clock: options.clock)))
        routes.addOperations(metrics: metrics)
        routes.addKeys()
        routes.addAssets()
        routes.addLead2InboundLeads(leads)
        routes.addEZLeedsLeads(leads)
        routes.addEZLeedsLeadChanges(leads)
        routes.addEZLeedsConsent(consents, dnc: gate.dnc)
        routes.addEZLeedsCompliance(gate, clock: options.clock)
        routes.addImports(imports, maxUploadBytes: options.maxUploadBytes)
        routes.addEZLeedsCampaigns(campaigns)
        routes.addEZLeedsBuyers(buyers)
        routes.addEZLeedsPingPost(exchange)
        routes.addEZLeedsBilling(billing)
        routes.addEZLeedsReports(reports, leads: leads, store: store)
        routes.addWebhookTest(outbound: outbound, policy: targets, clock: options.clock)
        routes.addEZLeedsCalls(destinations: destinations, calls: calls, dialer: dialer, records: callRecords, postbacks: postbacks)
        routes.addPostbacks(postbacks)
        routes.addEZLeedsSequences(sequences)
        routes.addEZLeedsDomains(domains)
        if let retell { routes.addRetell(retell, calls: calls) }
        routes.addUnsubscribe(unsubscribes)
        if let twilio = options.twilio {
            routes.addTwilio(twilio, publicURL: publicURL, texts: InboundTexts(store: store, clock: options.clock, dnc: gate.dnc))
        }
        let apiDocument = routes.addOpenAPI(version: Self.version)
        routes.addConsole(console, apiDocument: apiDocument)
        routeTable = routes.router.routes.map { ($0.method.rawValue, $0.pattern) }
        let responder = Responder(router: routes.router,
                                  middleware: [RequestIDMiddleware(), AccessLogMiddleware(), MetricsMiddleware(registry: metrics)],
                                  defaultMaxBodyBytes: options.maxBodyBytes)
        http = HTTPServer(configuration: ServerConfiguration(listen: options.listen, threads: options.threads,
                                                              drainTimeout: options.drainTimeout, uploadDirectory: importsDirectory),
                          responder: responder)
    }

    /// Where the server reaches itself: its listening address, or loopback when it listens on every address.
    var loopbackHost: String {
        let host = options.listen.hasPrefix("[") ? String(options.listen.dropFirst().prefix { $0 != "]" })
                                                 : String(options.listen.prefix { $0 != ":" })
        switch host {
        case "", "0.0.0.0": return "127.0.0.1"
        case "::": return "[::1]"
        default: return host.contains(":") ? "[\(host)]" : host
        }
    }

    public func start() throws {
        try exchange.recover()
        try http.start()
        if options.allowPrivateTargets { console.enableSimulator(base: "http://\(loopbackHost):\(port)") }
        imports.startWorker()
        outbox.start()
        try calls.recover()
        if calls.provider != nil && options.runsDialer { dialer.start() }
        try sequenceRunner.recover()
        if options.runsSequences { sequenceRunner.start() }
        if let schedule = options.backupSchedule {
            let store = self.store, logger = self.logger
            backups.withLock { $0 = Task.detached { await schedule.run(store, logger: logger) } }
        }
    }

    /// Stops accepting, finishes requests in flight, stops background work, and closes the database cleanly.
    public func stop() {
        console.stopSimulator()
        http.stop()
        imports.stopWorker()
        dialer.stop()
        sequenceRunner.stop()
        outbox.stop()
        backups.withLock { $0?.cancel(); $0 = nil }
        outbound.shutdown()
        do { try store.close() } catch { logger.error("closing the database failed", metadata: ["error": .string("\(error)")]) }
    }
}
