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

/// A live server over a store seeded with known dead letters and one key per role.
struct DeadLetterServer: Sendable {
    var baseURL: URL
    /// Secrets by name: admin, report_admin, report_creator, report_viewer, tenant_admin (bound to t1), revoked.
    var keys: [String: String]

    /// GETs `pathAndQuery` (query string included, sent as written) with the key called `key`.
    func get(_ pathAndQuery: String, key: String?) async throws -> Reply {
        var request = URLRequest(url: try #require(URL(string: baseURL.absoluteString + "/" + pathAndQuery)))
        if let key { request.setValue("Bearer \(try #require(keys[key]))", forHTTPHeaderField: "Authorization") }
        let session = URLSession(configuration: .ephemeral)
        defer { session.finishTasksAndInvalidate() }
        let (data, response) = try await session.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        return Reply(status: http.statusCode, contentType: http.value(forHTTPHeaderField: "Content-Type"), body: data)
    }
}

/// The seeded dead letters, oldest first; they get ids 1…5 in this order.
private func seedLetters() -> [DeadLetter] {
    func at(_ text: String) -> Int64 { RFC3339.epochMilliseconds(text)! }
    return [
        DeadLetter(topic: "messages", partition: 1, offset: 10, key: Array("t1".utf8), payload: Array("{".utf8),
                   code: "invalid_json", message: "the message value is not valid JSON", receivedAtMillis: at("2026-04-30T23:00:00Z")),
        DeadLetter(topic: "ratings", partition: 0, offset: 7, key: Array("t1".utf8),
                   payload: Array(#"{"id":"s1","type":"survey.created"}"#.utf8), code: "unknown_type", message: "type 'survey.created' is unknown",
                   receivedAtMillis: at("2026-05-01T06:00:00Z")),
        DeadLetter(topic: "messages", partition: 2, offset: 11, key: Array("t2".utf8), payload: [0xFF, 0xFE, 0x41],
                   code: "invalid_utf8", message: "the message value is not valid UTF-8", receivedAtMillis: at("2026-05-02T12:00:00Z")),
        DeadLetter(topic: "messages", partition: 2, offset: 12, key: Array("t2".utf8), payload: [UInt8](repeating: 0x41, count: 1 << 20),
                   code: "too_large", message: "too big", receivedAtMillis: at("2026-05-03T12:00:00Z")),
        DeadLetter(topic: "conversations", partition: 0, offset: 3, key: Array("t1".utf8),
                   payload: Array(#"{"id":"later","type":"conversation.created"}"#.utf8), code: "unknown_type", message: "replayed since",
                   receivedAtMillis: at("2026-05-04T12:00:00Z")),
    ]
}

/// Starts the real application over a fresh on-disk store holding `seedLetters()` (the last one
/// resolved, as a replay would leave it), runs `body`, then cancels the server.
func withDeadLetterServer(_ body: (DeadLetterServer) async throws -> Void) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-dead-letters-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    let store = try TallyStore(dataDirectory: directory.path)
    try store.apply(IngestBatch(deadLetters: seedLetters()))
    try store.apply(IngestBatch(resolvedDeadLetterIds: [5]))
    let settings = try SettingsStore(dataDirectory: directory.path)
    var keys: [String: String] = [:]
    for role in ApiKey.Role.allCases {
        keys[role.rawValue] = try settings.createKey(name: role.rawValue, role: role, userId: nil).secret
    }
    keys["tenant_admin"] = try settings.createKey(name: "tenant admin", role: .admin, userId: "t1").secret
    let revoked = try settings.createKey(name: "revoked", role: .admin, userId: nil)
    try settings.revokeKey(id: revoked.key.id)
    keys["revoked"] = revoked.secret

    var logger = Logger(label: "tally-dead-letter-tests")
    logger.logLevel = .critical
    let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
    let app = TallyApplication.build(store: store, settings: settings, host: "127.0.0.1", port: 0, logger: logger,
                                     onServerRunning: { port in portSink.yield(port) })
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await app.runService(gracefulShutdownSignals: []) }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        try await body(DeadLetterServer(baseURL: URL(string: "http://127.0.0.1:\(port)")!, keys: keys))
        group.cancelAll()
    }
}

/// A query the API must refuse with 400 `invalid_parameter`, and the parameter the message must name.
struct BadDeadLetterQuery: Sendable, CustomTestStringConvertible {
    var query: String
    var mentions: String
    var testDescription: String { query }
}

@Suite("Dead-letter API over HTTP")
struct DeadLettersAPITests {
    static let path = "api/v1/platform/dead-letters"

    /// The ids of the listed items, in order.
    static func ids(_ reply: Reply) throws -> [Int] {
        try #require(try reply.object()["items"] as? [[String: Any]]).compactMap { $0["id"] as? Int }
    }

    @Test("admin and report_admin keys list every dead letter, newest first, with counts by code", arguments: ["admin", "report_admin"])
    func listsForAdministrativeRoles(role: String) async throws {
        try await withDeadLetterServer { server in
            let reply = try await server.get(Self.path, key: role)
            #expect(reply.status == 200)
            #expect(reply.contentType?.hasPrefix("application/json") == true)
            let object = try reply.object()
            #expect(object["counts"] as? [String: Int] == ["invalid_json": 1, "unknown_type": 2, "invalid_utf8": 1, "too_large": 1])
            let items = try #require(object["items"] as? [[String: Any]])
            #expect(items.compactMap { $0["id"] as? Int } == [5, 4, 3, 2, 1])

            let oldest = try #require(items.last)
            #expect(oldest["topic"] as? String == "messages")
            #expect(oldest["partition"] as? Int == 1)
            #expect(oldest["offset"] as? Int == 10)
            #expect(oldest["code"] as? String == "invalid_json")
            #expect(oldest["message"] as? String == "the message value is not valid JSON")
            #expect(oldest["receivedAt"] as? String == "2026-04-30T23:00:00.000Z")
            #expect(oldest["payloadBytes"] as? Int == 1)
            #expect(oldest["payloadPreview"] as? String == "{")
            #expect(oldest["resolvedAt"] == nil)

            #expect(items[2]["payloadPreview"] as? String == "\u{FFFD}\u{FFFD}A")
            #expect(items[1]["payloadBytes"] as? Int == 1 << 20)
            #expect(items[1]["payloadPreview"] as? String == String(repeating: "A", count: 512))
            let resolvedAt = try #require(items[0]["resolvedAt"] as? String)
            #expect(RFC3339.epochMilliseconds(resolvedAt) != nil)
            #expect(items.dropFirst().allSatisfy { $0["resolvedAt"] == nil })
        }
    }

    @Test("report_viewer and report_creator keys are refused with 403 forbidden_role, before their parameters are looked at",
          arguments: ["report_viewer", "report_creator"])
    func refusesOtherRoles(role: String) async throws {
        try await withDeadLetterServer { server in
            try expectError(try await server.get(Self.path, key: role), 403, code: "forbidden_role", mentions: role)
            try expectError(try await server.get(Self.path + "?limit=0", key: role), 403, code: "forbidden_role")
        }
    }

    @Test("without a key, or with a revoked one, the answer is 401")
    func needsAKey() async throws {
        try await withDeadLetterServer { server in
            try expectError(try await server.get(Self.path, key: nil), 401, code: "unauthorized")
            try expectError(try await server.get(Self.path, key: "revoked"), 401, code: "unauthorized")
        }
    }

    @Test("a tenant-bound key is refused even with the admin role: dead letters span every tenant")
    func refusesTenantKeys() async throws {
        try await withDeadLetterServer { server in
            try expectError(try await server.get(Self.path, key: "tenant_admin"), 403, code: "forbidden_tenant")
        }
    }

    @Test("since, code, limit and includeResolved narrow the items; counts cover the whole store")
    func filters() async throws {
        try await withDeadLetterServer { server in
            #expect(try Self.ids(try await server.get(Self.path + "?since=2026-05-02", key: "admin")) == [5, 4, 3])
            #expect(try Self.ids(try await server.get(Self.path + "?since=2026-05-01T06:00:00Z", key: "admin")) == [5, 4, 3, 2])
            #expect(try Self.ids(try await server.get(Self.path + "?since=2026-05-01T08:00:00.001+02:00", key: "admin")) == [5, 4, 3])
            #expect(try Self.ids(try await server.get(Self.path + "?code=unknown_type", key: "admin")) == [5, 2])
            #expect(try Self.ids(try await server.get(Self.path + "?limit=2", key: "admin")) == [5, 4])
            #expect(try Self.ids(try await server.get(Self.path + "?since=&code=&limit=", key: "admin")) == [5, 4, 3, 2, 1])
            let narrowed = try await server.get(Self.path + "?code=too_large&limit=1", key: "admin")
            #expect(try Self.ids(narrowed) == [4])
            #expect(try narrowed.object()["counts"] as? [String: Int] == ["invalid_json": 1, "unknown_type": 2, "invalid_utf8": 1, "too_large": 1])

            let open = try await server.get(Self.path + "?includeResolved=false", key: "report_admin")
            #expect(try Self.ids(open) == [4, 3, 2, 1])
            #expect(try open.object()["counts"] as? [String: Int] == ["invalid_json": 1, "unknown_type": 1, "invalid_utf8": 1, "too_large": 1])
        }
    }

    static let badQueries = [
        BadDeadLetterQuery(query: "since=yesterday", mentions: "since"),
        BadDeadLetterQuery(query: "since=2026-02-30", mentions: "since"),
        BadDeadLetterQuery(query: "since=2026-05-01T00:00:00", mentions: "since"),
        BadDeadLetterQuery(query: "code=nope", mentions: "unknown_type"),
        BadDeadLetterQuery(query: "code=UNKNOWN_TYPE", mentions: "code"),
        BadDeadLetterQuery(query: "limit=0", mentions: "limit"),
        BadDeadLetterQuery(query: "limit=-1", mentions: "limit"),
        BadDeadLetterQuery(query: "limit=10001", mentions: "limit"),
        BadDeadLetterQuery(query: "limit=ten", mentions: "limit"),
        BadDeadLetterQuery(query: "limit=99999999999999999999", mentions: "limit"),
        BadDeadLetterQuery(query: "includeResolved=yes", mentions: "includeResolved"),
    ]

    @Test("a bad since, code, limit or includeResolved is a 400 invalid_parameter naming it", arguments: badQueries)
    func badParameters(bad: BadDeadLetterQuery) async throws {
        try await withDeadLetterServer { server in
            try expectError(try await server.get(Self.path + "?" + bad.query, key: "admin"), 400, code: "invalid_parameter", mentions: bad.mentions)
        }
    }
}
