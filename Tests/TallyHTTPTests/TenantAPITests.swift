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

/// `GET`/`PUT /api/v1/platform/tenants/{userId}` on a real socket: roles, validation, the 409 when
/// the topics no longer hold a tenant's history, the states, and how reports name their zone.
@Suite("Tenant time zone API")
struct TenantAPITests {
    /// Keys by name: admin, report_admin, viewer (platform-wide report_viewer), t1_admin (admin bound to t1).
    struct Server {
        var live: LiveServer
        var keys: [String: String]
        var store: TallyStore
        var settings: SettingsStore
    }

    static func withServer(store prepare: (TallyStore) throws -> Void = { _ in },
                           support: TenantZoneSupport = TenantZoneSupport(),
                           _ body: (Server) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-tenants-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try TallyStore(dataDirectory: directory.path)
        try prepare(store)
        try store.apply(IngestBatch(events: seedEvents()))
        let settings = try SettingsStore(dataDirectory: directory.path)
        var keys: [String: String] = [:]
        keys["admin"] = try settings.createKey(name: "a", role: .admin, userId: nil).secret
        keys["report_admin"] = try settings.createKey(name: "ra", role: .reportAdmin, userId: nil).secret
        keys["viewer"] = try settings.createKey(name: "v", role: .reportViewer, userId: nil).secret
        keys["t1_admin"] = try settings.createKey(name: "t", role: .admin, userId: "t1").secret
        var logger = Logger(label: "tally-tenant-tests")
        logger.logLevel = .critical
        let (ports, sink) = AsyncStream.makeStream(of: Int.self)
        let app = TallyApplication.build(stores: StoreHolder(store), settings: settings, host: "127.0.0.1", port: 0, logger: logger,
                                         tenantZones: support, onServerRunning: { sink.yield($0) })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService(gracefulShutdownSignals: []) }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            let live = LiveServer(baseURL: URL(string: "http://127.0.0.1:\(port)")!, platformKey: keys["admin"]!, tenantKey: keys["t1_admin"]!, revokedKey: "")
            try await body(Server(live: live, keys: keys, store: store, settings: settings))
            group.cancelAll()
        }
    }

    @Test("an admin or report_admin sets a zone; GET shows it pending until the rollups are in it")
    func setAndGet() async throws {
        try await Self.withServer { server in
            let put = try await send(server.live, "PUT", "api/v1/platform/tenants/t1", key: server.keys["report_admin"], body: #"{"timeZone":"Europe/Berlin"}"#)
            #expect(put.status == 200)
            let body = try put.object()
            #expect(body["timeZone"] as? String == "Europe/Berlin")
            #expect(body["activeTimeZone"] as? String == "UTC")
            #expect(body["state"] as? String == "pending")
            let get = try await send(server.live, "GET", "api/v1/platform/tenants/t1", key: server.keys["viewer"])
            #expect(get.status == 200)
            #expect(try get.object()["state"] as? String == "pending")
            // The setting is a logged command in the settings store.
            #expect(try server.settings.tenantTimeZones().map(\.timeZone) == ["Europe/Berlin"])
            // Reports still answer in the old zone, and say which zone is pending.
            let report = try await fetch(server.live, "Total Ratings Report", key: server.keys["admin"]!,
                                         body: #"{"userId":"t1","periodDays":7,"endDate":"2026-03-15"}"#)
            let fields = try report.object()
            #expect(fields["timeZone"] as? String == "UTC")
            #expect(fields["pendingTimeZone"] as? String == "Europe/Berlin")
            // A tenant that never set one is in UTC, active, and its reports carry no zone.
            let other = try await send(server.live, "GET", "api/v1/platform/tenants/t2", key: server.keys["admin"])
            #expect(try other.object()["state"] as? String == "active")
            #expect(try other.object()["timeZone"] as? String == "UTC")
            let plain = try await fetch(server.live, "Total Ratings Report", key: server.keys["admin"]!, body: #"{"userId":"t2","periodDays":7,"endDate":"2026-03-15"}"#)
            #expect(try plain.object()["timeZone"] == nil)
        }
    }

    @Test("roles, tenants and bad input are refused with stable codes")
    func refusals() async throws {
        try await Self.withServer { server in
            func put(_ key: String, _ path: String = "t1", body: String) async throws -> Reply {
                try await send(server.live, "PUT", "api/v1/platform/tenants/\(path)", key: server.keys[key], body: body)
            }
            try expectError(try await put("viewer", body: #"{"timeZone":"Europe/Berlin"}"#), 403, code: "forbidden_role")
            try expectError(try await put("t1_admin", "t2", body: #"{"timeZone":"Europe/Berlin"}"#), 403, code: "forbidden_tenant")
            #expect(try await put("t1_admin", body: #"{"timeZone":"Europe/Berlin"}"#).status == 200)
            try expectError(try await put("admin", body: #"{"timeZone":"Mars/Olympus"}"#), 400, code: "invalid_parameter", mentions: "Mars/Olympus")
            try expectError(try await put("admin", body: #"{"timeZone":"EST5EDT "}"#), 400, code: "invalid_parameter", mentions: "IANA")
            try expectError(try await put("admin", body: #"{"timeZone":3}"#), 400, code: "invalid_parameter", mentions: "timeZone")
            try expectError(try await put("admin", body: #"{}"#), 400, code: "missing_parameter", mentions: "timeZone")
            try expectError(try await put("admin", body: #"{"timezone":"UTC"}"#), 400, code: "invalid_parameter", mentions: "timezone")
            try expectError(try await put("admin", body: #"{"timeZone":"UTC","rebucketFrom":"2026-02-30"}"#), 400, code: "invalid_parameter", mentions: "rebucketFrom")
            try expectError(try await put("admin", body: #"{"timeZone":"UTC","rebucketFrom":"2999-01-01"}"#), 400, code: "invalid_parameter", mentions: "future")
            try expectError(try await send(server.live, "GET", "api/v1/platform/tenants/t1", key: nil), 401, code: "unauthorized")
        }
    }

    @Test("a tenant id with a space, a slash or a non-ASCII character is named percent-encoded in the path")
    func percentEncodedTenant() async throws {
        try await Self.withServer { server in
            /// Sends `path` exactly as written (the shared `send` encodes a path, and so its `%` too).
            func raw(_ method: String, _ path: String, body: String? = nil) async throws -> (status: Int, json: [String: Any]) {
                var request = URLRequest(url: try #require(URL(string: server.live.baseURL.absoluteString + "/" + path)))
                request.httpMethod = method
                request.setValue("Bearer \(server.keys["admin"]!)", forHTTPHeaderField: "Authorization")
                request.httpBody = body.map { Data($0.utf8) }
                let (data, response) = try await URLSession.shared.data(for: request)
                return ((response as? HTTPURLResponse)?.statusCode ?? 0, (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:])
            }
            let put = try await raw("PUT", "api/v1/platform/tenants/tenant%20%C3%A9%2F1", body: #"{"timeZone":"Europe/Berlin"}"#)
            #expect(put.status == 200)
            #expect(put.json["userId"] as? String == "tenant é/1")
            #expect(try await server.settings.tenantTimeZone(userId: "tenant é/1")?.timeZone == "Europe/Berlin")
            // An encoding that is not UTF-8 names no tenant.
            let invalid = try await raw("GET", "api/v1/platform/tenants/%FF%FE")
            #expect(invalid.status == 400)
            #expect(invalid.json["code"] as? String == "invalid_parameter")
        }
    }

    @Test("without the whole history in the topics a change is 409 unless rebucketFrom accepts older days in the old zone")
    func incompleteHistory() async throws {
        let support = TenantZoneSupport(historyCoverage: { .incomplete("messages[0] now begins at offset 12") })
        try await Self.withServer(support: support) { server in
            let refused = try await send(server.live, "PUT", "api/v1/platform/tenants/t1", key: server.keys["admin"], body: #"{"timeZone":"Asia/Kathmandu"}"#)
            try expectError(refused, 409, code: "history_incomplete", mentions: "rebucketFrom")
            #expect(try server.settings.tenantTimeZones().isEmpty)
            let accepted = try await send(server.live, "PUT", "api/v1/platform/tenants/t1", key: server.keys["admin"],
                                          body: #"{"timeZone":"Asia/Kathmandu","rebucketFrom":"2026-03-01"}"#)
            #expect(accepted.status == 200)
            #expect(try accepted.object()["rebucketFrom"] as? String == "2026-03-01")
            // A tenant with no rollups has no history to lose.
            let fresh = try await send(server.live, "PUT", "api/v1/platform/tenants/new-tenant", key: server.keys["admin"], body: #"{"timeZone":"Asia/Kathmandu"}"#)
            #expect(fresh.status == 200)
        }
    }

    @Test("a running re-bucketing shows as rebuilding with progress")
    func rebuildingState() async throws {
        let support = TenantZoneSupport(progress: { RebucketProgress(userId: $0, timeZone: "Europe/Berlin", running: true, percent: 40, events: 7) })
        try await Self.withServer(support: support) { server in
            _ = try await send(server.live, "PUT", "api/v1/platform/tenants/t1", key: server.keys["admin"], body: #"{"timeZone":"Europe/Berlin"}"#)
            let get = try await send(server.live, "GET", "api/v1/platform/tenants/t1", key: server.keys["admin"])
            let body = try get.object()
            #expect(body["state"] as? String == "rebuilding")
            let progress = try #require(body["progress"] as? [String: Any])
            #expect(progress["percent"] as? Int == 40)
        }
    }

    @Test("a tenant whose rollups are in its zone answers in local days and names the zone on /fetch only")
    func activeZone() async throws {
        try await Self.withServer(store: { try $0.setTenantZone("t1", .init(identifier: "Asia/Kathmandu")) }) { server in
            let put = try await send(server.live, "PUT", "api/v1/platform/tenants/t1", key: server.keys["admin"], body: #"{"timeZone":"Asia/Kathmandu"}"#)
            #expect(try put.object()["state"] as? String == "active")
            let report = try await fetch(server.live, "Total Ratings Report", key: server.keys["admin"]!, body: #"{"userId":"t1","periodDays":7,"endDate":"2026-03-15"}"#)
            let fields = try report.object()
            #expect(fields["timeZone"] as? String == "Asia/Kathmandu")
            #expect(fields["pendingTimeZone"] == nil)
            // Counted naively: t1's ratings whose Kathmandu date lies in the 7 days to 2026-03-15.
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "Asia/Kathmandu")!
            let expected = seedEvents().filter { event in
                guard event.userId == "t1", case .ratingCreated = event.kind else { return false }
                let parts = calendar.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: Double(event.occurredAtMillis) / 1000))
                let day = Day(year: parts.year!, month: parts.month!, day: parts.day!)!
                return day >= Day(iso: "2026-03-09")! && day <= Day(iso: "2026-03-15")!
            }.count
            #expect(fields["value"] as? Int == expected)
            let id = try #require(ReportCatalog.all.first { $0.name == "Total Ratings Report" }?.id)
            let generated = try await send(server.live, "POST", "api/v1/platform/report/\(id)/generate?userId=t1", key: server.keys["admin"], body: #"{"periodDays":7}"#)
            #expect(generated.status == 200)
            #expect(try generated.object()["timeZone"] == nil)
        }
    }
}
