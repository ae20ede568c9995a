import Foundation
import Testing
import TallyDomain
import TallyKafka
import TallySettings
import TallyStore
import TallyTestSupport

/// SIGTERM while a tenant is being re-bucketed: the server stops the replay instead of finishing
/// it first (a store's replay can take hours), exits 0 promptly, and the next start re-buckets
/// the tenant from scratch.
extension TenantZoneTests {
    @Test("SIGTERM during a re-bucketing exits 0 within 5 s; the next start re-buckets the tenant")
    func shutdownWhileRebuilding() async throws {
        let brokers = try TestEnvironment.brokers()
        let topics = TestEnvironment.uniqueTopics("zones-term")
        let dataDirectory = TestEnvironment.temporaryDirectory("zones-term")
        let end = TestEnvironment.today
        // Enough that the replay outlasts the wait below by far on any machine.
        let events = Array(TrafficGenerator(seed: 95, tenants: 3, days: 10, endDay: end, total: 60_000))
        let producer = try KafkaProducer(brokers: brokers)
        try producer.createTopics(topics, partitions: 2)
        let secret = try SettingsStore(dataDirectory: dataDirectory).createKey(name: "test", role: .admin, userId: nil).secret
        let server = ServerProcess(binary: try TestEnvironment.tallyBinary(), arguments: [
            "serve", "--brokers", brokers, "--topics", topics.joined(separator: ","), "--data-dir", dataDirectory,
        ], logPath: dataDirectory + "-serve.log", logLevel: "notice")
        try server.start()
        defer { server.terminate() }
        var port = try await server.waitForHTTPPort()
        let ends = try TestEnvironment.produce(events, to: topics, with: producer).endOffsets
        try await TestEnvironment.waitUntilCaughtUp(try TallyStore(dataDirectory: dataDirectory), to: ends, timeout: .seconds(240))

        let put = try await TenantZoneHTTP.put(port: port, secret: secret, userId: "tenant-1", body: #"{"timeZone":"\#(Self.shortZone)"}"#)
        #expect(put.status == 200, "\(put.json)")
        let deadline = ContinuousClock.now + .seconds(60)
        var state = put.state
        while state != "rebuilding", ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
            state = try await TenantZoneHTTP.get(port: port, secret: secret, userId: "tenant-1").state
        }
        try #require(state == "rebuilding", "the re-bucketing did not start within 60 s")

        let stopped = ContinuousClock.now
        server.sendTerm()
        let exited = await server.waitForExit(timeout: .seconds(60))
        let took = ContinuousClock.now - stopped
        #expect(exited && server.exitStatus == 0 && took < .seconds(5), "exit \(server.exitStatus.map(String.init) ?? "none") after \(took)")
        #expect(try !FileManager.default.contentsOfDirectory(atPath: dataDirectory).contains { $0.contains("-replay") } || !exited)

        try server.start()
        port = try await server.waitForHTTPPort()
        let active = try await TenantZoneHTTP.waitUntilActive(port: port, secret: secret, userId: "tenant-1", timeout: .seconds(240))
        #expect(active.activeTimeZone == Self.shortZone, "\(active.json)")
        let oracle = ReportOracle(events: events, timeZones: ["tenant-1": try #require(TimeZone(identifier: Self.shortZone))])
        let found = try await ReportCheck.mismatches(port: port, secret: secret, oracle: oracle, tenants: ["tenant-1", "tenant-2"], periods: [7],
                                                     reports: ReportCheck.representative + [ReportCatalog.report(id: "tly7r2q9w000608jqf8hrac0w")!], end: end)
        #expect(found.isEmpty, "\(found.prefix(3))")
    }
}
