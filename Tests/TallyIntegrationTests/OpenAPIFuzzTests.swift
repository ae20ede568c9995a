import Foundation
import Testing
import TallyDomain
import TallyKafka
import TallyTestSupport

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// schemathesis against a real `tally serve` (the built binary, the real broker, a store seeded
/// with events): every operation of `schemas/openapi.yaml`, once with a platform-wide admin key
/// and once with a key bound to one tenant, must answer no 5xx, only documented statuses and
/// bodies that conform to the documented schemas.
///
/// The data directory is thrown away afterwards, so operations that change state (keys, tenants'
/// zones, reports and templates) are fuzzed like the others. The server runs without `--smtp-url`,
/// as a server without a mail server does: creating a schedule and running one answer 409
/// `smtp_not_configured`, which the document lists; the schedule routes' 2xx bodies are judged
/// against the document by `ScheduleAPITests`.
@Suite("OpenAPI document against a live server", .serialized)
struct OpenAPIFuzzTests {
    /// Test cases per operation and phase: with 31 operations, two keys and schemathesis's
    /// phases this sends well over 2,000 requests while staying within a few minutes.
    static let examplesPerOperation = 25
    static let checks = "not_a_server_error,status_code_conformance,response_schema_conformance"

    @Test("schemathesis finds no server error, no undocumented status and no nonconforming body")
    func fuzzEveryOperation() async throws {
        let brokers = try TestEnvironment.brokers()
        let binary = try TestEnvironment.tallyBinary()
        let schemathesis = VenvPython.repositoryRoot.appendingPathComponent(".venv/bin/schemathesis").path
        try #require(FileManager.default.isExecutableFile(atPath: schemathesis), "\(schemathesis) is missing: run tools/setup")
        let topics = TestEnvironment.uniqueTopics("openapi")
        let directory = TestEnvironment.temporaryDirectory("openapi")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let producer = try KafkaProducer(brokers: brokers)
        try producer.createTopics(topics, partitions: 2)
        let server = ServerProcess(binary: binary, arguments: [
            "serve", "--brokers", brokers, "--topics", topics.joined(separator: ","), "--data-dir", directory, "--batch-ms", "50",
        ], logPath: directory + "-serve.log")
        defer { try? FileManager.default.removeItem(atPath: directory + "-serve.log") }
        try server.start()
        defer { server.terminate() }
        let port = try await server.waitForHTTPPort()

        let events = Array(TrafficGenerator(seed: 31, tenants: 2, days: 14, endDay: TestEnvironment.today, total: 600))
        try TestEnvironment.produce(events, to: topics, with: producer)
        try await Self.waitUntilCounted(events.count, port: port)

        let admin = try Self.createKey(binary, directory: directory, ["--role", "admin", "--name", "fuzz-admin"])
        let tenant = try Self.createKey(binary, directory: directory, ["--role", "report_admin", "--user-id", TrafficGenerator.tenantId(0),
                                                                       "--name", "fuzz-tenant"])
        var total = FuzzOutcome()
        for (label, secret) in [("admin key", admin), ("tenant key", tenant)] {
            // A run takes about a minute: on a thread of its own, not one of the cooperative pool's two.
            let reportPath = directory + "-\(label.prefix(5)).ndjson"
            let outcome = try await OffPool.run { Result { try Self.runSchemathesis(schemathesis, port: port, secret: secret, reportPath: reportPath) } }.get()
            print("schemathesis with the \(label): \(outcome.requests) requests, \(outcome.failures.count) failures")
            for failure in outcome.failures { print("  \(failure)") }
            total.requests += outcome.requests
            total.failures += outcome.failures.map { "\(label): \($0)" }
        }
        print("schemathesis in all: \(total.requests) requests, \(total.failures.count) failures")
        #expect(total.requests >= 2000, "schemathesis sent only \(total.requests) requests")
        #expect(total.failures.isEmpty, "\(total.failures.joined(separator: "\n"))")
        #expect(server.isRunning, "tally serve exited during the run: \(server.logLines().suffix(20).joined(separator: "\n"))")
    }

    struct FuzzOutcome {
        var requests = 0
        var failures: [String] = []
    }

    /// Waits until `/healthz` shows every produced event counted or rejected.
    static func waitUntilCounted(_ count: Int, port: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            let health = try await HTTPFetch.health(port: port)
            if health.body.eventsCounted + health.body.duplicates >= Int64(count) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("ingest did not count \(count) events within 120 s")
        throw CancellationError()
    }

    /// `tally keys create` on the server's data directory; its standard output is the secret.
    static func createKey(_ binary: String, directory: String, _ arguments: [String]) throws -> String {
        let created = try TallyCommand.run(binary, ["keys", "create", "--data-dir", directory] + arguments)
        try #require(created.status == 0, "keys create failed: \(created.stderr)")
        return created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// One schemathesis run with `secret` as the bearer key; the requests and failures are read
    /// from its NDJSON event report, which names every check that failed.
    static func runSchemathesis(_ schemathesis: String, port: Int, secret: String, reportPath: String) throws -> FuzzOutcome {
        defer { try? FileManager.default.removeItem(atPath: reportPath) }
        let document = VenvPython.repositoryRoot.appendingPathComponent("schemas/openapi.yaml").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: schemathesis)
        process.arguments = [
            "run", document, "--url", "http://127.0.0.1:\(port)", "--header", "Authorization: Bearer \(secret)",
            // One worker: Debian's Python 3.11 can raise a spurious "AST constructor recursion depth
            // mismatch" SystemError when threads build ASTs at once (CPython gh-106905), which
            // schemathesis reports as an error of the run, not of the server.
            "--checks", checks, "--max-examples", String(examplesPerOperation), "--seed", "20261202", "--workers", "1",
            "--request-timeout", "30", "--generation-database", "none", "--no-color", "--suppress-health-check", "all",
            "--report", "ndjson", "--report-ndjson-path", reportPath,
            // The dashboard's event stream never ends by itself, and schemathesis waits for an answer to end.
            "--exclude-path", "/api/v1/platform/events",
        ]
        process.currentDirectoryURL = URL(fileURLWithPath: NSTemporaryDirectory())
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let report = try String(contentsOfFile: reportPath, encoding: .utf8)
        var outcome = try SchemathesisReport.outcome(ndjson: report)
        if process.terminationStatus != 0, outcome.failures.isEmpty {
            outcome.failures.append("schemathesis exited with \(process.terminationStatus) without a failed check")
        }
        return outcome
    }
}
