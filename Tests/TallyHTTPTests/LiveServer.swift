import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Hummingbird
import Logging
import Testing
import TallyDomain
import TallyHTTP
import TallySettings
import TallyStore

/// A live server over a seeded on-disk rollup store, with one key of each kind the API
/// distinguishes in the settings store beside it.
struct LiveServer: Sendable {
    var baseURL: URL
    var platformKey: String
    /// A key bound to tenant `t1`.
    var tenantKey: String
    var revokedKey: String
}

/// One HTTP exchange, kept as raw bytes so each test can check exactly what a client would see.
struct Reply {
    var status: Int
    var contentType: String?
    var body: Data
    var retryAfter: String? = nil

    /// The body as a JSON object; fails the test when it is not one.
    func object() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any],
                     "body is not a JSON object: \(String(decoding: body, as: UTF8.self))")
    }
}

/// Events at noon UTC on fixed days, so every fetched figure below is known in advance.
func seedEvents() -> [Event] {
    func at(_ date: String) -> Int64 { Int64(Day(iso: date)!.number) * 86_400_000 + 43_200_000 }
    var n = 0
    func make(_ kind: Event.Kind, _ date: String, tenant: String = "t1", conversation: String? = nil, contact: String? = nil) -> Event {
        n += 1
        return Event(id: "e\(n)", kind: kind, userId: tenant, occurredAtMillis: at(date), conversationId: conversation, contactId: contact)
    }
    return [
        make(.ratingCreated(value: 5), "2026-03-15", contact: "k1"),
        make(.ratingCreated(value: -2), "2026-03-15", contact: "k2"),
        make(.ratingCreated(value: 1), "2026-03-10", contact: "k1"),
        make(.ratingCreated(value: 3), "2026-02-01", contact: "k3"), // previous 30-day period
        make(.ratingCreated(value: 9), "2026-03-15", tenant: "t2"),
        // 5 messages in 3 conversations on 2026-03-15: an average of 1.67.
        make(.messageCreated(.user), "2026-03-15", conversation: "c1"), make(.messageCreated(.bot), "2026-03-15", conversation: "c1"),
        make(.messageCreated(.user), "2026-03-15", conversation: "c2"),
        make(.messageCreated(.activity), "2026-03-15", conversation: "c3"), make(.messageCreated(.bot), "2026-03-15", conversation: "c3"),
    ]
}

/// Starts the real application on a free port of 127.0.0.1, runs `body` against it, then cancels
/// the server. Each test gets its own store and server, so tests can run in parallel.
/// `ingestStatus` stands in for the ingest pipeline's progress; `today` pins the day periods end on
/// by default; `events` are stored before the server starts.
func withLiveServer(ingestStatus: @escaping @Sendable () -> IngestStatus? = { nil },
                    today: @escaping @Sendable () -> Day = TallyApplication.utcToday,
                    events: [Event] = seedEvents(),
                    _ body: (LiveServer) async throws -> Void) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-http-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    let store = try TallyStore(dataDirectory: directory.path)
    try store.apply(IngestBatch(events: events))
    let settings = try SettingsStore(dataDirectory: directory.path)
    let platform = try settings.createKey(name: "platform", role: .admin, userId: nil)
    let tenant = try settings.createKey(name: "tenant", role: .reportViewer, userId: "t1")
    let revoked = try settings.createKey(name: "revoked", role: .reportViewer, userId: nil)
    try settings.revokeKey(id: revoked.key.id)

    // Stopping the server by cancellation makes Hummingbird log expected shutdown errors; only
    // critical messages are kept, and every test checks statuses, so a 500 still fails a test.
    var logger = Logger(label: "tally-http-tests")
    logger.logLevel = .critical
    let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
    let app = TallyApplication.build(store: store, settings: settings, host: "127.0.0.1", port: 0, logger: logger, ingestStatus: ingestStatus,
                                     today: today, onServerRunning: { port in portSink.yield(port) })
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await app.runService(gracefulShutdownSignals: []) }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        let server = LiveServer(baseURL: URL(string: "http://127.0.0.1:\(port)")!, platformKey: platform.secret,
                                tenantKey: tenant.secret, revokedKey: revoked.secret)
        try await body(server)
        group.cancelAll()
    }
}

/// Sends one request with a bearer `key` (or a raw `authorization` header) and returns the reply.
/// A `path` may carry a query after `?`, sent as written. A `session` passed in is kept open, so
/// that a test sending hundreds of requests reuses its connections.
func send(_ server: LiveServer, _ method: String, _ path: String, key: String? = nil, authorization: String? = nil,
          body: String? = nil, bytes: Data? = nil, session shared: URLSession? = nil) async throws -> Reply {
    let parts = path.split(separator: "?", maxSplits: 1)
    var components = try #require(URLComponents(url: server.baseURL.appendingPathComponent(String(parts[0])), resolvingAgainstBaseURL: false))
    if parts.count == 2 { components.percentEncodedQuery = String(parts[1]) }
    var request = URLRequest(url: try #require(components.url))
    request.httpMethod = method
    if let key { request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
    if let authorization { request.setValue(authorization, forHTTPHeaderField: "Authorization") }
    if let data = bytes ?? body.map({ Data($0.utf8) }) {
        request.httpBody = data
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
    }
    let session = shared ?? URLSession(configuration: .ephemeral)
    defer { if shared == nil { session.finishTasksAndInvalidate() } }
    let (data, response) = try await session.data(for: request)
    let http = try #require(response as? HTTPURLResponse)
    return Reply(status: http.statusCode, contentType: http.value(forHTTPHeaderField: "Content-Type"), body: data,
                 retryAfter: http.value(forHTTPHeaderField: "Retry-After"))
}

/// POSTs a fetch of the catalog report called `name`.
func fetch(_ server: LiveServer, _ name: String, key: String, body: String? = nil) async throws -> Reply {
    let id = try #require(ReportCatalog.all.first { $0.name == name }?.id)
    return try await send(server, "POST", "api/v1/report/\(id)/fetch", key: key, body: body)
}

/// Checks the error contract: the status, a JSON body with a `message` and the expected `code`,
/// and, when given, that the message names the offending parameter.
func expectError(_ reply: Reply, _ status: Int, code: String, mentions: String? = nil,
                 sourceLocation: SourceLocation = #_sourceLocation) throws {
    #expect(reply.status == status, sourceLocation: sourceLocation)
    #expect(reply.contentType?.hasPrefix("application/json") == true, sourceLocation: sourceLocation)
    let object = try reply.object()
    let message = try #require(object["message"] as? String, sourceLocation: sourceLocation)
    #expect(!message.isEmpty, sourceLocation: sourceLocation)
    #expect(object["code"] as? String == code, sourceLocation: sourceLocation)
    if let mentions { #expect(message.contains(mentions), "message: \(message)", sourceLocation: sourceLocation) }
}
