import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import Testing
import TallyDomain
import TallyHTTP
import TallyMetrics
import TallySettings
import TallyStore

/// `GET /metrics` on a real socket: no key needed, the text format's content type, and requests
/// counted by route template rather than by concrete path.
@Suite("Metrics route")
struct MetricsAPITests {
    @Test("GET /metrics needs no key and counts requests by route template and status")
    func routeTemplates() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-metrics-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try TallyStore(dataDirectory: directory.path)
        let settings = try SettingsStore(dataDirectory: directory.path)
        let metrics = TallyMetrics(storeFiles: { [("settings", SettingsStore.path(in: directory.path))] })
        var logger = Logger(label: "tally-metrics-tests")
        logger.logLevel = .critical
        let (ports, sink) = AsyncStream.makeStream(of: Int.self)
        let app = TallyApplication.build(stores: StoreHolder(store), settings: settings, host: "127.0.0.1", port: 0, logger: logger,
                                         metrics: metrics, onServerRunning: { sink.yield($0) })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService(gracefulShutdownSignals: []) }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            let live = LiveServer(baseURL: URL(string: "http://127.0.0.1:\(port)")!, platformKey: "", tenantKey: "", revokedKey: "")
            #expect(try await send(live, "POST", "api/v1/report/one-id/fetch", key: "tly_wrong").status == 401)
            #expect(try await send(live, "POST", "api/v1/report/other-id/fetch", key: "tly_wrong").status == 401)
            let reply = try await send(live, "GET", "metrics")
            #expect(reply.status == 200)
            #expect(reply.contentType?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = String(decoding: reply.body, as: UTF8.self)
            #expect(text.contains(#"tally_http_requests_total{method="POST",route="/api/v1/report/{reportId}/fetch",status="401"} 2"#), "\(text)")
            #expect(!text.contains("one-id"), "concrete paths never become labels")
            #expect(text.contains("# TYPE tally_http_request_duration_seconds histogram"))
            #expect(text.contains(#"tally_store_file_bytes{file="settings"}"#))
            group.cancelAll()
        }
    }
}
