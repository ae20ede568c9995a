import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Hummingbird
import Logging
import Testing
import TallyDomain
import TallyHTTP
import TallyStore

/// A live server over a seeded on-disk store, with one key of each kind the API distinguishes.
struct LiveServer: Sendable {
    var baseURL: URL
    var store: TallyStore
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

    /// The body as a JSON object; fails the test when it is not one.
    func object() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any],
                     "body is not a JSON object: \(String(decoding: body, as: UTF8.self))")
    }
}

/// Events at noon UTC on fixed days, so every fetched figure below is known in advance.
private func seedEvents() -> [Event] {
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
func withLiveServer(_ body: (LiveServer) async throws -> Void) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-http-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    let store = try TallyStore(dataDirectory: directory.path)
    var delta = RollupDelta()
    for event in seedEvents() { delta.add(event) }
    try store.apply(IngestBatch(delta: delta))
    let platform = try store.createKey(name: "platform", role: .admin, userId: nil)
    let tenant = try store.createKey(name: "tenant", role: .reportViewer, userId: "t1")
    let revoked = try store.createKey(name: "revoked", role: .reportViewer, userId: nil)
    try store.revokeKey(id: revoked.key.id)

    var logger = Logger(label: "tally-http-tests")
    logger.logLevel = .warning
    let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
    let app = TallyApplication.build(store: store, host: "127.0.0.1", port: 0, logger: logger,
                                     onServerRunning: { port in portSink.yield(port) })
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await app.runService(gracefulShutdownSignals: []) }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        let server = LiveServer(baseURL: URL(string: "http://127.0.0.1:\(port)")!, store: store, platformKey: platform.secret,
                                tenantKey: tenant.secret, revokedKey: revoked.secret)
        try await body(server)
        group.cancelAll()
    }
}

/// Sends one request with a bearer `key` (or a raw `authorization` header) and returns the reply.
func send(_ server: LiveServer, _ method: String, _ path: String, key: String? = nil, authorization: String? = nil,
          body: String? = nil, bytes: Data? = nil) async throws -> Reply {
    var request = URLRequest(url: server.baseURL.appendingPathComponent(path))
    request.httpMethod = method
    if let key { request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
    if let authorization { request.setValue(authorization, forHTTPHeaderField: "Authorization") }
    if let data = bytes ?? body.map({ Data($0.utf8) }) {
        request.httpBody = data
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
    }
    let session = URLSession(configuration: .ephemeral)
    defer { session.finishTasksAndInvalidate() }
    let (data, response) = try await session.data(for: request)
    let http = try #require(response as? HTTPURLResponse)
    return Reply(status: http.statusCode, contentType: http.value(forHTTPHeaderField: "Content-Type"), body: data)
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

/// A fetch body the API must refuse with 400, the code it must give and the parameter it must name.
struct BadFetch: Sendable, CustomTestStringConvertible {
    var body: String
    var code: String
    var mentions: String
    var testDescription: String { body.count > 40 ? String(body.prefix(40)) + "…" : body }
}

@Suite("Report API over HTTP")
struct ReportAPITests {
    @Test("lists the 14 reports of the catalog")
    func list() async throws {
        try await withLiveServer { server in
            let reply = try await send(server, "GET", "api/v1/platform/report/list", key: server.tenantKey)
            #expect(reply.status == 200)
            #expect(reply.contentType?.hasPrefix("application/json") == true)
            let items = try #require(try reply.object()["items"] as? [[String: Any]])
            #expect(items.count == 14)
            #expect(items.compactMap { $0["id"] as? String } == ReportCatalog.all.map(\.id))
            let names = items.compactMap { $0["name"] as? String }
            #expect(names.contains("Total Ratings Report"))
            #expect(names.contains("Average Messages per Conversation"))
            for item in items {
                for field in ["id", "name", "description", "createdAt", "updatedAt"] {
                    #expect((item[field] as? String)?.isEmpty == false, "item lacks \(field)")
                }
            }
        }
    }

    @Test("fetches a report's value, change, period and a 30-day breakdown by default")
    func fetchKnownValues() async throws {
        try await withLiveServer { server in
            let reply = try await fetch(server, "Total Ratings Report", key: server.platformKey,
                                        body: #"{"userId":"t1","endDate":"2026-03-15"}"#)
            #expect(reply.status == 200)
            let object = try reply.object()
            #expect(object["value"] as? Int == 3)
            #expect(object["change"] as? Int == 2)
            #expect(object["period"] as? String == "last 30 days")
            let breakdown = try #require(object["breakdown"] as? [[String: Any]])
            #expect(breakdown.count == 30)
            #expect(breakdown.first?["date"] as? String == "2026-02-14")
            #expect(breakdown.last?["date"] as? String == "2026-03-15")
            let byDate = Dictionary(uniqueKeysWithValues: breakdown.map { ($0["date"] as? String ?? "", $0["total"] as? Int ?? -1) })
            #expect(byDate["2026-03-15"] == 2)
            #expect(byDate["2026-03-10"] == 1)
            #expect(byDate.values.reduce(0, +) == 3)
            #expect(breakdown.allSatisfy { Set($0.keys) == ["date", "total"] })
        }
    }

    @Test("fetches an average as a decimal number")
    func fetchAverage() async throws {
        try await withLiveServer { server in
            let reply = try await fetch(server, "Average Messages per Conversation", key: server.tenantKey,
                                        body: #"{"periodDays":1,"endDate":"2026-03-15"}"#)
            #expect(reply.status == 200)
            let object = try reply.object()
            #expect(object["value"] as? Double == 1.67)
            #expect(object["period"] as? String == "last 1 day")
            #expect((object["breakdown"] as? [[String: Any]])?.first?["total"] as? Double == 1.67)
        }
    }

    @Test("a tenant key reads its own tenant whether it omits userId or names it")
    func tenantKeyOwnTenant() async throws {
        try await withLiveServer { server in
            for body in [#"{"endDate":"2026-03-15"}"#, #"{"userId":"t1","endDate":"2026-03-15"}"#, #"{"userId":null,"endDate":"2026-03-15"}"#] {
                let reply = try await fetch(server, "Thumbs Up Report", key: server.tenantKey, body: body)
                #expect(reply.status == 200, "\(body)")
                #expect(try reply.object()["value"] as? Int == 2, "\(body)")
            }
            let other = try await fetch(server, "Thumbs Up Report", key: server.platformKey, body: #"{"userId":"t2","endDate":"2026-03-15"}"#)
            #expect(try other.object()["value"] as? Int == 1)
        }
    }

    @Test("a tenant key asking for another userId is forbidden")
    func tenantKeyOtherTenant() async throws {
        try await withLiveServer { server in
            let reply = try await fetch(server, "Thumbs Up Report", key: server.tenantKey, body: #"{"userId":"t2"}"#)
            try expectError(reply, 403, code: "forbidden_tenant", mentions: "t1")
        }
    }

    @Test("an empty body takes every default: 30 days ending today")
    func emptyBody() async throws {
        try await withLiveServer { server in
            let before = TallyApplication.utcToday()
            let reply = try await fetch(server, "Total Ratings Report", key: server.tenantKey)
            let after = TallyApplication.utcToday()
            #expect(reply.status == 200)
            let breakdown = try #require(try reply.object()["breakdown"] as? [[String: Any]])
            #expect(breakdown.count == 30)
            #expect([before.iso, after.iso].contains(breakdown.last?["date"] as? String ?? ""))
        }
    }

    @Test("rejects bad fetch parameters with 400, naming the parameter", arguments: [
        BadFetch(body: "{nope", code: "invalid_json", mentions: "JSON"),
        BadFetch(body: "[1,2]", code: "invalid_json", mentions: "object"),
        BadFetch(body: "42", code: "invalid_json", mentions: "object"),
        BadFetch(body: #"{"periodDays":0}"#, code: "invalid_parameter", mentions: "periodDays"),
        BadFetch(body: #"{"periodDays":366}"#, code: "invalid_parameter", mentions: "periodDays"),
        BadFetch(body: #"{"periodDays":-1}"#, code: "invalid_parameter", mentions: "periodDays"),
        BadFetch(body: #"{"periodDays":"30"}"#, code: "invalid_parameter", mentions: "periodDays"),
        BadFetch(body: #"{"periodDays":1.5}"#, code: "invalid_parameter", mentions: "periodDays"),
        BadFetch(body: #"{"periodDays":true}"#, code: "invalid_parameter", mentions: "periodDays"),
        BadFetch(body: #"{"periodDays":99999999999999999999}"#, code: "invalid_parameter", mentions: "periodDays"),
        BadFetch(body: #"{"endDate":"2025-02-30"}"#, code: "invalid_parameter", mentions: "endDate"),
        BadFetch(body: #"{"endDate":"tomorrow"}"#, code: "invalid_parameter", mentions: "endDate"),
        BadFetch(body: #"{"endDate":20250101}"#, code: "invalid_parameter", mentions: "endDate"),
        BadFetch(body: #"{"userId":""}"#, code: "invalid_parameter", mentions: "userId"),
        BadFetch(body: #"{"userId":7}"#, code: "invalid_parameter", mentions: "userId"),
        BadFetch(body: "{\"userId\":\"\(String(repeating: "u", count: 129))\"}", code: "invalid_parameter", mentions: "userId"),
    ])
    func badRequest(_ bad: BadFetch) async throws {
        try await withLiveServer { server in
            let reply = try await fetch(server, "Total Ratings Report", key: server.tenantKey, body: bad.body)
            try expectError(reply, 400, code: bad.code, mentions: bad.mentions)
        }
    }

    @Test("a platform key must name the userId")
    func platformKeyWithoutUserId() async throws {
        try await withLiveServer { server in
            let reply = try await fetch(server, "Total Ratings Report", key: server.platformKey, body: #"{"periodDays":7}"#)
            try expectError(reply, 400, code: "missing_parameter", mentions: "userId")
        }
    }

    @Test("refuses requests without a valid, active key")
    func unauthorized() async throws {
        try await withLiveServer { server in
            let list = "api/v1/platform/report/list"
            try expectError(try await send(server, "GET", list), 401, code: "unauthorized")
            try expectError(try await send(server, "GET", list, authorization: "Basic \(server.platformKey)"), 401, code: "unauthorized")
            try expectError(try await send(server, "GET", list, authorization: "Bearer"), 401, code: "unauthorized")
            try expectError(try await send(server, "GET", list, key: "tly_not_a_real_key"), 401, code: "unauthorized")
            try expectError(try await send(server, "GET", list, key: server.revokedKey), 401, code: "unauthorized")
            try expectError(try await send(server, "GET", list, key: String(repeating: "k", count: 300)), 401, code: "unauthorized")
            try expectError(try await fetch(server, "Total Ratings Report", key: server.revokedKey, body: #"{"userId":"t1"}"#),
                            401, code: "unauthorized")
            // The scheme is case-insensitive, so a valid key still works in lower case.
            #expect(try await send(server, "GET", list, authorization: "bearer \(server.platformKey)").status == 200)
        }
    }

    @Test("unknown reports and routes are 404 with a JSON body")
    func notFound() async throws {
        try await withLiveServer { server in
            let unknown = try await send(server, "POST", "api/v1/report/no-such-report/fetch", key: server.platformKey, body: "{}")
            try expectError(unknown, 404, code: "report_not_found", mentions: "no-such-report")
            try expectError(try await send(server, "GET", "nope"), 404, code: "not_found")
            try expectError(try await send(server, "GET", "api/v2/platform/report/list", key: server.platformKey), 404, code: "not_found")
            try expectError(try await send(server, "GET", "api/v1/nothing/here", key: server.platformKey), 404, code: "not_found")
        }
    }

    @Test("a body over 64 KiB is 413, one of exactly 64 KiB is accepted")
    func bodyLimit() async throws {
        try await withLiveServer { server in
            let id = ReportCatalog.all[0].id
            let json = Data(#"{"userId":"t1","endDate":"2026-03-15"}"#.utf8)
            let exact = json + Data(repeating: UInt8(ascii: " "), count: 64 * 1024 - json.count)
            let ok = try await send(server, "POST", "api/v1/report/\(id)/fetch", key: server.platformKey, bytes: exact)
            #expect(ok.status == 200)
            #expect(try ok.object()["value"] as? Int == 3)
            let over = try await send(server, "POST", "api/v1/report/\(id)/fetch", key: server.platformKey, bytes: exact + Data(" ".utf8))
            try expectError(over, 413, code: "payload_too_large")
        }
    }

    @Test("/healthz answers without a key")
    func health() async throws {
        try await withLiveServer { server in
            let reply = try await send(server, "GET", "healthz")
            #expect(reply.status == 200)
            #expect(try reply.object()["status"] as? String == "ok")
        }
    }

    @Test("wrong methods get a JSON error, never a 500")
    func wrongMethods() async throws {
        try await withLiveServer { server in
            let id = ReportCatalog.all[0].id
            for (method, path) in [("GET", "api/v1/report/\(id)/fetch"), ("POST", "api/v1/platform/report/list"), ("DELETE", "healthz")] {
                let reply = try await send(server, method, path, key: server.platformKey, body: method == "GET" ? nil : "{}")
                #expect([404, 405].contains(reply.status), "\(method) \(path): \(reply.status)")
                #expect(try reply.object()["code"] is String)
                #expect(try reply.object()["message"] is String)
            }
        }
    }
}
