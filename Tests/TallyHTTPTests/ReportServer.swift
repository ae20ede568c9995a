import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Hummingbird
import Logging
import Testing
import TallyDelivery
import TallyDomain
import TallyHTTP
import TallyReportJobs
import TallySettings
import TallyStore

/// A live server with the Reports API and its job runner over a seeded on-disk store, with a key
/// of every role bound to tenant `t1` and a platform-wide key of every role.
struct ReportServer: Sendable {
    var server: LiveServer
    var directory: URL
    var settings: SettingsStore
    /// Secrets by role, for keys bound to `t1`.
    var tenantKeys: [ApiKey.Role: String]
    /// Secrets by role, for platform-wide keys.
    var platformKeys: [ApiKey.Role: String]
    /// The report scheduler the schedule routes use, when the server was started with one (never run).
    var scheduler: ReportScheduler? = nil

    var admin: String { platformKeys[.admin]! }
}

/// One exchange with every response header kept.
struct RawReply {
    var status: Int
    var headers: [String: String]
    var body: Data

    func header(_ name: String) -> String? { headers.first { $0.key.lowercased() == name.lowercased() }?.value }
    func object() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any], "not a JSON object: \(String(decoding: body, as: UTF8.self))")
    }
}

/// Starts the application with a `ReportJobRunner` on a free port. With `runWorkers` false the
/// runner is never started, so accepted jobs stay pending (the queue and not-ready tests).
/// With a `scheduler` configuration the schedule routes are served by a `ReportScheduler` on
/// `scheduleClock`; the scheduler's own loop is never started, so nothing is mailed.
func withReportServer(queueLimit: Int = 1000, timeout: Duration = .seconds(600), retentionDays: Int = 90, runWorkers: Bool = true, events: [Event] = seedEvents(),
                      directory given: URL? = nil, scheduler schedulerConfiguration: ReportSchedulerConfiguration? = nil,
                      scheduleClock: any ScheduleClock = SystemScheduleClock(), prepare: (SettingsStore) throws -> Void = { _ in },
                      _ body: (ReportServer) async throws -> Void) async throws {
    let directory = given ?? FileManager.default.temporaryDirectory.appendingPathComponent("tally-reports-\(UUID().uuidString)")
    defer { if given == nil { try? FileManager.default.removeItem(at: directory) } }
    let store = try TallyStore(dataDirectory: directory.path)
    if try store.consumedOffsets().isEmpty {
        try store.apply(IngestBatch(events: events, offsets: [PartitionOffset(topic: "events", partition: 0, nextOffset: Int64(events.count))]))
    }
    let settings = try SettingsStore(dataDirectory: directory.path)
    try prepare(settings)
    var tenantKeys: [ApiKey.Role: String] = [:], platformKeys: [ApiKey.Role: String] = [:]
    for role in ApiKey.Role.allCases {
        tenantKeys[role] = try settings.createKey(name: "t1-\(role.rawValue)", role: role, userId: "t1").secret
        platformKeys[role] = try settings.createKey(name: "platform-\(role.rawValue)", role: role, userId: nil).secret
    }
    var logger = Logger(label: "tally-report-tests")
    logger.logLevel = .critical
    let stores = StoreHolder(store)
    let runner = ReportJobRunner(
        configuration: ReportJobConfiguration(workers: 2, queueLimit: queueLimit, timeout: timeout,
                                              directory: ReportJobConfiguration.directory(in: directory.path), retentionDays: retentionDays),
        settings: settings, stores: stores, logger: logger)
    let scheduler = schedulerConfiguration.map {
        ReportScheduler(configuration: $0, settings: settings, runner: runner, clock: scheduleClock, logger: logger,
                        tenantZone: { stores.current.clock(forTenant: $0).identifier })
    }
    let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
    let app = TallyApplication.build(stores: stores, settings: settings, host: "127.0.0.1", port: 0, logger: logger, today: { seedToday },
                                     reportJobs: runner, scheduler: scheduler, onServerRunning: { port in portSink.yield(port) })
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await app.runService(gracefulShutdownSignals: []) }
        if runWorkers { group.addTask { try await runner.run() } }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        let live = LiveServer(baseURL: URL(string: "http://127.0.0.1:\(port)")!, platformKey: platformKeys[.admin]!,
                              tenantKey: tenantKeys[.reportViewer]!, revokedKey: "")
        try await body(ReportServer(server: live, directory: directory, settings: settings, tenantKeys: tenantKeys, platformKeys: platformKeys,
                                    scheduler: scheduler))
        group.cancelAll()
    }
}

/// Sends one request and keeps every header.
func exchange(_ server: ReportServer, _ method: String, _ path: String, key: String?, body: String? = nil,
              headers: [String: String] = [:]) async throws -> RawReply {
    let parts = path.split(separator: "?", maxSplits: 1)
    var components = try #require(URLComponents(url: server.server.baseURL.appendingPathComponent(String(parts[0])), resolvingAgainstBaseURL: false))
    if parts.count == 2 { components.percentEncodedQuery = String(parts[1]) }
    var request = URLRequest(url: try #require(components.url))
    request.httpMethod = method
    if let key { request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
    for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
    if let body {
        request.httpBody = Data(body.utf8)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
    }
    let session = URLSession(configuration: .ephemeral)
    defer { session.finishTasksAndInvalidate() }
    let (data, response) = try await session.data(for: request)
    let http = try #require(response as? HTTPURLResponse)
    var fields: [String: String] = [:]
    for (name, value) in http.allHeaderFields { fields["\(name)"] = "\(value)" }
    return RawReply(status: http.statusCode, headers: fields, body: data)
}

/// Generates a report and returns its id, failing the test unless the answer is 202.
func generateReport(_ server: ReportServer, key: String, _ body: String) async throws -> String {
    let reply = try await exchange(server, "POST", "api/v1/reports/generate", key: key, body: body)
    try #require(reply.status == 202, "generate answered \(reply.status): \(String(decoding: reply.body, as: UTF8.self))")
    let object = try reply.object()
    #expect(object["state"] as? String == "pending")
    let id = try #require(object["report_id"] as? String)
    #expect(object["status_url"] as? String == "/api/v1/reports/\(id)/status")
    return id
}

/// Polls the status until the job is completed or failed, for at most 60 s; returns the status.
func awaitReport(_ server: ReportServer, _ id: String, key: String? = nil) async throws -> [String: Any] {
    let deadline = ContinuousClock.now + .seconds(60)
    while ContinuousClock.now < deadline {
        let status = try await exchange(server, "GET", "api/v1/reports/\(id)/status", key: key ?? server.admin).object()
        if let state = status["state"] as? String, state == "completed" || state == "failed" { return status }
        try await Task.sleep(for: .milliseconds(50))
    }
    Issue.record("report \(id) did not finish in 60 s")
    return [:]
}
