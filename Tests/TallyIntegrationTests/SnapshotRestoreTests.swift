import Foundation
import Logging
import Testing
import TallyDomain
import TallyIngest
import TallyKafka
import TallySettings
import TallyStore
import TallyTestSupport

/// Snapshots end to end against the real broker: a running instance is snapshotted with the real
/// `tally snapshot create`, and a new `tally serve --restore-from` instance on a fresh data
/// directory consumes only the tail after the snapshot, reaching exactly the oracle's counts. A
/// snapshot carries rollups only: the source's API keys stay behind, and the restored instance
/// answers with a key created for it.
@Suite("Snapshot and restore against a real broker", .serialized)
struct SnapshotRestoreTests {
    @Test("a new instance restored from a snapshot consumes only the tail and every report matches the oracle")
    func restoredInstanceConsumesOnlyTheTail() async throws {
        let brokers = try TestEnvironment.brokers()
        let binary = try TestEnvironment.tallyBinary()
        let topics = TestEnvironment.uniqueTopics("snapshot")
        let end = TestEnvironment.today
        let events = Array(TrafficGenerator(seed: 4242, tenants: 4, days: 40, endDay: end, total: 30_000))
        let partA = events[..<18_000]
        let partB = events[18_000...]
        let producer = try KafkaProducer(brokers: brokers)
        try producer.createTopics(topics, partitions: 3)

        // The source instance ingests part A. Its API key lives in its settings store, which no
        // snapshot carries.
        let sourceDirectory = TestEnvironment.temporaryDirectory("snapshot-source")
        let source = try TallyStore(dataDirectory: sourceDirectory)
        let sourceSecret = try SettingsStore(dataDirectory: sourceDirectory).createKey(name: "test", role: .admin, userId: nil).secret
        let snapshotPath = (TestEnvironment.temporaryDirectory("snapshot-file") as NSString).appendingPathComponent("a.sqlite")
        var ends = try TestEnvironment.produce(partA, to: topics, with: producer).endOffsets
        let pipeline = IngestPipeline(
            configuration: IngestConfiguration(brokers: brokers, topics: topics, group: "snapshot-source-\(UUID().uuidString)"),
            store: source, logger: Logger(label: "test"))
        var snapshotSummary: [String: Any] = [:]
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await pipeline.run() }
            try await TestEnvironment.waitUntilCaughtUp(source, to: ends)

            // Snapshot from another process while the source keeps running, then refuse to overwrite it.
            let created = try TallyCommand.run(binary, ["snapshot", "create", "--data-dir", sourceDirectory, "--out", snapshotPath])
            #expect(created.status == 0, "snapshot create: \(created.stderr)")
            let lines = created.stdout.split(separator: "\n").map(String.init)
            #expect(lines.first == snapshotPath)
            snapshotSummary = try #require(try JSONSerialization.jsonObject(with: Data((lines.last ?? "").utf8)) as? [String: Any])
            #expect((snapshotSummary["committedOffsetTotal"] as? NSNumber)?.intValue == partA.count)
            #expect((snapshotSummary["offsets"] as? NSNumber)?.intValue == ends.count)
            #expect(snapshotSummary["path"] as? String == snapshotPath)
            let again = try TallyCommand.run(binary, ["snapshot", "create", "--data-dir", sourceDirectory, "--out", snapshotPath])
            #expect(again.status != 0)
            #expect(again.stderr.contains("snapshot_exists"), "\(again.stderr)")

            // Part B arrives after the snapshot; the source counts it too.
            ends.merge(try TestEnvironment.produce(partB, to: topics, with: producer).endOffsets) { Swift.max($0, $1) }
            try await TestEnvironment.waitUntilCaughtUp(source, to: ends)
            pipeline.requestStop()
            try await group.waitForAll()
        }
        #expect(ends.values.reduce(0, +) == Int64(events.count))

        // A new instance on a fresh data directory, bootstrapped from the snapshot, with periodic
        // snapshots on so that their service runs and stops with the server.
        let restoredDirectory = TestEnvironment.temporaryDirectory("snapshot-restored")
        let server = ServerProcess(binary: binary, arguments: [
            "serve", "--brokers", brokers, "--topics", topics.joined(separator: ","), "--data-dir", restoredDirectory,
            "--restore-from", snapshotPath, "--snapshot-every", "1s", "--snapshot-keep", "2",
        ], logPath: restoredDirectory + "-serve.log", logLevel: "notice")
        let started = ContinuousClock.now
        try server.start()
        defer { server.terminate() }
        let port = try await server.waitForHTTPPort()
        let health = try await Self.waitUntilCaughtUp(port: port, total: Int64(events.count))
        let ready = ContinuousClock.now - started
        #expect(health.eventsCounted == Int64(partB.count), "the restored instance must consume only the tail")

        // Every report, read from the restored store, equals the oracle over the whole stream.
        let restored = try TallyStore(dataDirectory: restoredDirectory)
        #expect(try restored.consumedOffsets() == source.consumedOffsets())
        let oracle = ReportOracle(events: events)
        for tenant in ["tenant-1", "tenant-2", "tenant-3", "tenant-4"] {
            for periodDays in [1, 7, 30] {
                for endDate in [end, end.advanced(by: -12), end.advanced(by: -31)] {
                    for report in ReportCatalog.all {
                        let actual = try restored.report(report, tenant: tenant, window: ReportWindow(periodDays: periodDays, end: endDate))
                        let expected = oracle.expected(reportId: report.id, tenant: tenant, periodDays: periodDays, end: endDate)
                        #expect(expected.map(ReportOracle.Expected(actual).agrees(with:)) == true, "\(report.name) \(tenant) \(periodDays)d to \(endDate)")
                    }
                }
            }
        }
        // The restored directory has no keys: the source's is unknown here, and the log says why.
        #expect(try await HTTPFetch.status(port: port, secret: sourceSecret) == 401, "a key travelled inside the snapshot")
        #expect(server.logLines().contains { $0.contains("no API keys") && $0.contains("tally keys create") }, "\(server.logLines().suffix(5))")
        #expect(try SettingsStore(dataDirectory: restoredDirectory).listKeys().isEmpty)
        // A key created for it with `tally keys create` while it runs works at once.
        let created = try TallyCommand.run(binary, ["keys", "create", "--data-dir", restoredDirectory, "--role", "admin", "--name", "restored"])
        #expect(created.status == 0, "keys create: \(created.stderr)")
        let secret = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        for report in ReportCatalog.all {
            let actual = try await HTTPFetch.report(port: port, secret: secret, reportId: report.id, body: #"{"userId":"tenant-2","periodDays":30}"#)
            #expect(oracle.expected(reportId: report.id, tenant: "tenant-2", periodDays: 30, end: end).map(actual.agrees(with:)) == true, "\(report.name) over HTTP")
        }

        // Starting again with --restore-from on a data directory that now holds a store is refused.
        let refused = try TallyCommand.run(binary, [
            "serve", "--brokers", brokers, "--topics", topics.joined(separator: ","), "--data-dir", restoredDirectory,
            "--restore-from", snapshotPath, "--http", "127.0.0.1:0",
        ])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("store_exists"), "\(refused.stderr)")

        // Periodic snapshots run beside ingest; SIGTERM still stops the server at once.
        let snapshots = TallyStore.snapshotDirectory(in: restoredDirectory)
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline, Self.snapshotNames(in: snapshots).count < 2 {
            try await Task.sleep(for: .milliseconds(100))
        }
        let stopping = ContinuousClock.now
        server.sendTerm()
        #expect(await server.waitForExit(timeout: .seconds(10)), "tally serve did not stop on SIGTERM")
        #expect(server.exitStatus == 0)
        let stopped = ContinuousClock.now - stopping

        // Only the newest two were kept, each a valid snapshot between the restored state and the end.
        let names = Self.snapshotNames(in: snapshots).sorted()
        #expect(names.count == 2, "periodic snapshots: \(names)")
        let totals = try names.map { try TallyStore.inspectSnapshot(at: (snapshots as NSString).appendingPathComponent($0)).committedOffsetTotal }
        #expect(totals.allSatisfy { (Int64(partA.count)...Int64(events.count)).contains($0) }, "\(totals)")
        #expect(totals.last == Int64(events.count))
        let leftovers = ((try? FileManager.default.contentsOfDirectory(atPath: snapshots)) ?? []).filter { $0.contains(".partial-") }
        #expect(leftovers.isEmpty, "partial snapshots left after shutdown: \(leftovers)")

        print("""
            snapshot-restore: \(partA.count) events in snapshot (\(snapshotSummary["bytes"] ?? "?") bytes, \
            \(snapshotSummary["seconds"] ?? "?") s to take), \(health.eventsCounted) tail events consumed, \
            ready in \(Self.seconds(ready)) s, stopped in \(Self.seconds(stopped)) s with periodic snapshots on
            """)
    }

    /// Polls `/healthz` until every offset up to `total` is committed and ingest reports caught up.
    static func waitUntilCaughtUp(port: Int, total: Int64, timeout: Duration = .seconds(120)) async throws -> HealthBody {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let (status, body) = try await HTTPFetch.health(port: port)
            if status == 200, body.caughtUp, body.committedTotal >= total {
                #expect(body.committedTotal == total, "committed past the end")
                return body
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("the restored instance did not catch up within \(timeout)")
        throw CancellationError()
    }

    static func snapshotNames(in directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasPrefix("tally-") && $0.hasSuffix(".sqlite") }
    }

    static func seconds(_ duration: Duration) -> String {
        String(format: "%.2f", Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }
}

/// One run of the `tally` binary to completion, with its output.
enum TallyCommand {
    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ binary: String, _ arguments: [String]) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
                       stderr: String(decoding: err, as: UTF8.self))
    }
}
