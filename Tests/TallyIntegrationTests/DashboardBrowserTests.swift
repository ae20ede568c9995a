import Foundation
import Testing
import TallyDomain
import TallyKafka
import TallyTestSupport

/// The dashboard in a real browser: Debian's chromium driven by Playwright (`tools/dashboard-check`)
/// against a real `tally serve` on the real broker. The script signs in, switches tenant, period
/// and bot and compares every card with the API, produces a message and times the card's change
/// (at most 1 s), checks a hostile bot id renders as text, that the console shows no CSP violation,
/// and takes screenshots at 1280 and 390 px into the artifacts directory it prints.
@Suite("Dashboard in a real browser", .serialized)
struct DashboardBrowserTests {
    static let hostileBot = "<img src=x onerror=alert(1)>"

    /// Where the screenshots go: `$TALLY_TEST_ARTIFACTS`, else `$TMPDIR/tally-dashboard-artifacts`.
    static var artifacts: String {
        if let path = ProcessInfo.processInfo.environment["TALLY_TEST_ARTIFACTS"], !path.isEmpty { return path + "/dashboard" }
        return FileManager.default.temporaryDirectory.appendingPathComponent("tally-dashboard-artifacts").path
    }

    @Test("sign in, switch tenant, period and bot; numbers equal the API's; a produced event shows within 1 s; hostile ids stay text")
    func dashboardInChromium() async throws {
        let brokers = try TestEnvironment.brokers()
        let binary = try TestEnvironment.tallyBinary()
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium"), "/usr/bin/chromium is missing: run tools/setup")
        let topics = TestEnvironment.uniqueTopics("dashboard")
        let directory = TestEnvironment.temporaryDirectory("dashboard")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let producer = try KafkaProducer(brokers: brokers)
        try producer.createTopics(topics, partitions: 1)
        let server = ServerProcess(binary: binary, arguments: [
            "serve", "--brokers", brokers, "--topics", topics.joined(separator: ","), "--data-dir", directory, "--batch-ms", "50",
        ], logPath: directory + "-serve.log")
        defer { try? FileManager.default.removeItem(atPath: directory + "-serve.log") }
        try server.start()
        defer { server.terminate() }
        let port = try await server.waitForHTTPPort()

        var events = Array(TrafficGenerator(seed: 41, tenants: 2, days: 40, endDay: TestEnvironment.today, total: 1_500))
        let tenant = TrafficGenerator.tenantId(0)
        let noon = Int64(TestEnvironment.today.number) * 86_400_000 - 43_200_000
        for i in 0..<3 {
            events.append(Event(id: "hostile-\(i)", kind: .messageCreated(.user), userId: tenant, occurredAtMillis: noon - Int64(i) * 3_600_000,
                                conversationId: "hostile-conv", contactId: "hostile-contact", botId: Self.hostileBot, channel: "web"))
        }
        try TestEnvironment.produce(events, to: topics, with: producer)
        try await OpenAPIFuzzTests.waitUntilCounted(events.count, port: port)
        let secret = try OpenAPIFuzzTests.createKey(binary, directory: directory, ["--role", "admin", "--name", "dashboard"])

        let artifacts = Self.artifacts
        let arguments = [
            VenvPython.tool("dashboard-check"), "--url", "http://127.0.0.1:\(port)", "--key", secret, "--brokers", brokers,
            "--messages-topic", topics[1], "--tenants", "\(TrafficGenerator.tenantId(0)),\(TrafficGenerator.tenantId(1))",
            "--hostile-bot", Self.hostileBot, "--artifacts", artifacts,
        ]
        let python = VenvPython.repositoryRoot.appendingPathComponent(".venv/bin/python").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let result = await OffPool.finish(process, output: output, errors: errors)
        print(result.output)
        print("dashboard screenshots are in \(artifacts)")
        #expect(result.status == 0, "tools/dashboard-check failed:\n\(result.output)\n\(result.errors.suffix(3000))")
        #expect(server.isRunning, "tally serve exited: \(server.logLines().suffix(20).joined(separator: "\n"))")
    }
}
