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
import TallyTestSupport

/// The dashboard's page and assets with their security headers, the tenant list its picker reads,
/// and the event stream it follows, on a real socket.
@Suite("Dashboard, tenant list and event stream")
struct DashboardAPITests {
    static let policy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

    /// A server over the seeded store whose event stream hears `notifier`.
    static func withServer(_ body: (LiveServer, CommitNotifier) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-dashboard-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try TallyStore(dataDirectory: directory.path)
        try store.apply(IngestBatch(events: seedEvents()))
        let settings = try SettingsStore(dataDirectory: directory.path)
        let platform = try settings.createKey(name: "platform", role: .admin, userId: nil)
        let tenant = try settings.createKey(name: "tenant", role: .reportViewer, userId: "t1")
        var logger = Logger(label: "tally-dashboard-tests")
        logger.logLevel = .critical
        let notifier = CommitNotifier()
        let (ports, sink) = AsyncStream.makeStream(of: Int.self)
        let app = TallyApplication.build(stores: StoreHolder(store), settings: settings, host: "127.0.0.1", port: 0, logger: logger,
                                         commitNotifier: notifier, onServerRunning: { sink.yield($0) })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService(gracefulShutdownSignals: []) }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            let live = LiveServer(baseURL: URL(string: "http://127.0.0.1:\(port)")!, platformKey: platform.secret, tenantKey: tenant.secret,
                                  revokedKey: "")
            try await body(live, notifier)
            group.cancelAll()
        }
    }

    /// A GET's status, headers and body.
    static func get(_ server: LiveServer, _ path: String) async throws -> (HTTPURLResponse, Data) {
        let session = URLSession(configuration: .ephemeral)
        defer { session.finishTasksAndInvalidate() }
        let (data, response) = try await session.data(from: URL(string: path, relativeTo: server.baseURL)!)
        return (try #require(response as? HTTPURLResponse), data)
    }

    @Test("/ and its two assets are served with a strict policy, and the page has no inline script or style")
    func pageAndAssets() async throws {
        try await Self.withServer { server, _ in
            for (path, type) in [("/", "text/html"), ("/dashboard/app.js", "text/javascript"), ("/dashboard/app.css", "text/css")] {
                let (response, data) = try await Self.get(server, path)
                #expect(response.statusCode == 200, "\(path)")
                #expect(response.value(forHTTPHeaderField: "Content-Type")?.hasPrefix(type) == true, "\(path)")
                #expect(response.value(forHTTPHeaderField: "Content-Security-Policy") == Self.policy, "\(path)")
                #expect(response.value(forHTTPHeaderField: "X-Content-Type-Options") == "nosniff", "\(path)")
                #expect(!data.isEmpty)
            }
            let page = String(decoding: try await Self.get(server, "/").1, as: UTF8.self)
            #expect(!page.contains("style="), "the page must not carry style attributes")
            #expect(!page.contains("<style"), "the page must not carry a style element")
            #expect(page.components(separatedBy: "<script").count == 2, "one script element, the app")
            #expect(page.contains(#"<script src="/dashboard/app.js" defer></script>"#))
            #expect(!page.contains("http://") && !page.contains("https://"), "the page loads nothing from elsewhere")
            let script = String(decoding: try await Self.get(server, "/dashboard/app.js").1, as: UTF8.self)
            #expect(!script.contains("innerHTML") && !script.contains("insertAdjacentHTML") && !script.contains("document.write"))
            #expect(!script.contains("localStorage"), "the key stays in sessionStorage")
        }
    }

    @Test("the tenant list: every tenant for a platform key, its own for a tenant key, none without a key")
    func tenantList() async throws {
        try await Self.withServer { server, _ in
            let platform = try await send(server, "GET", "api/v1/platform/tenants", key: server.platformKey).object()
            #expect((platform["items"] as? [[String: Any]])?.compactMap { $0["userId"] as? String } == ["t1", "t2"])
            #expect(platform["keyUserId"] is NSNull)
            let tenant = try await send(server, "GET", "api/v1/platform/tenants", key: server.tenantKey).object()
            #expect((tenant["items"] as? [[String: Any]])?.compactMap { $0["userId"] as? String } == ["t1"])
            #expect(tenant["keyUserId"] as? String == "t1")
            #expect(try await send(server, "GET", "api/v1/platform/tenants").status == 401)
        }
    }

    @Test("the event stream: a tenant key only for its own tenant, a platform key must name one")
    func streamAuthorization() async throws {
        try await Self.withServer { server, _ in
            try expectError(try await send(server, "GET", "api/v1/platform/events?userId=t2", key: server.tenantKey), 403, code: "forbidden_tenant")
            try expectError(try await send(server, "GET", "api/v1/platform/events", key: server.platformKey), 400, code: "missing_parameter")
            #expect(try await send(server, "GET", "api/v1/platform/events?userId=t1").status == 401)
        }
    }

    @Test("the event stream sends the tenant's commits, coalesced to at most 4 a second, and no other tenant's")
    func streamCoalesces() async throws {
        try await Self.withServer { server, notifier in
            let url = server.baseURL.appendingPathComponent("api/v1/platform/events").absoluteString + "?userId=t1"
            let key = server.tenantKey
            // curl reads the stream for 20 s on a thread of its own; the commits are told once it
            // listens. On a machine busy with the other suites, subscribing and the 20 commits'
            // sleeps can take several seconds, and all of it must fall inside curl's window.
            async let output = OffPool.run { Self.curl(url, key: key, seconds: 20) }
            let deadline = ContinuousClock.now + .seconds(10)
            while !notifier.hasListeners && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(notifier.hasListeners, "the stream did not subscribe within 10 s")
            let event = Event(id: "x", kind: .messageCreated(.user), userId: "t1", occurredAtMillis: 0)
            let other = Event(id: "y", kind: .ratingCreated(value: 1), userId: "t2", occurredAtMillis: 0)
            let started = ContinuousClock.now
            for _ in 0..<20 {
                notifier.committed([event, event, other])
                try await Task.sleep(for: .milliseconds(40))
            }
            let telling = ContinuousClock.now - started
            let text = await output
            #expect(text.lowercased().contains("content-type: text/event-stream"), "\(text)")
            let data = text.components(separatedBy: "\n").filter { $0.hasPrefix("data: ") }.map { String($0.dropFirst(6)) }
            #expect(text.components(separatedBy: "event: counters").count - 1 == data.count)
            let bodies = try data.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
            // 20 commits over `telling` (about 0.8 s): at most one event per 250 ms, and the last
            // one at most 250 ms after the last commit.
            let most = Int((telling + .milliseconds(250)) / .milliseconds(250)) + 1
            #expect((1...most).contains(bodies.count), "\(bodies.count) events in \(telling): \(data)")
            #expect(bodies.map { $0["batches"] as? Int ?? 0 }.reduce(0, +) == 20, "\(data)")
            #expect(bodies.map { $0["messages"] as? Int ?? 0 }.reduce(0, +) == 40, "\(data)")
            #expect(bodies.allSatisfy { $0["userId"] as? String == "t1" && $0["ratings"] as? Int == 0 }, "\(data)")
        }
    }

    /// What `curl` reads of `url` (headers included) in `seconds`.
    static func curl(_ url: String, key: String, seconds: Double) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-sN", "-i", "--max-time", String(seconds), "-H", "Authorization: Bearer \(key)", url]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return "curl failed to start: \(error)" }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
