import Foundation
import Testing
import TallyDomain
import TallyKafka
import TallySettings
import TallyStore
import TallyTestSupport

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `tally rebuild` beside a live `tally serve`: the replay is verified against the live store at the
/// same offsets, the server switches to it with no failed request, the old file is kept, and ingest
/// goes on into the new store. A store that differs from its topics is not switched.
@Suite("Rebuild by replay", .serialized)
struct RebuildTests {
    @Test("a rebuild beside a live server verifies, switches without a failed request, and ingest continues")
    func rebuildAndSwitch() async throws {
        let brokers = try TestEnvironment.brokers()
        let binary = try TestEnvironment.tallyBinary()
        let topics = TestEnvironment.uniqueTopics("rebuild")
        let dataDirectory = TestEnvironment.temporaryDirectory("rebuild")
        let end = TestEnvironment.today
        let events = Array(TrafficGenerator(seed: 31, tenants: 3, days: 20, endDay: end, total: 24_000))
        let producer = try KafkaProducer(brokers: brokers)
        try producer.createTopics(topics, partitions: 2)
        let secret = try SettingsStore(dataDirectory: dataDirectory).createKey(name: "test", role: .admin, userId: nil).secret
        let server = ServerProcess(binary: binary, arguments: [
            "serve", "--brokers", brokers, "--topics", topics.joined(separator: ","), "--data-dir", dataDirectory,
        ])
        try server.start()
        defer { server.terminate() }
        let port = try await server.waitForHTTPPort()
        var ends = try TestEnvironment.produce(events[..<16_000], to: topics, with: producer).endOffsets
        let live = try TallyStore(dataDirectory: dataDirectory)
        try await TestEnvironment.waitUntilCaughtUp(live, to: ends)

        // Rebuild while requests keep coming and new events keep arriving.
        let rebuild = Process()
        rebuild.executableURL = URL(fileURLWithPath: binary)
        rebuild.arguments = ["rebuild", "--brokers", brokers, "--data-dir", dataDirectory]
        let output = Pipe()
        rebuild.standardOutput = output
        // The rebuild's log says why a round found differences; `tools/chaos --rebuild-race` prints it.
        let logPath = ProcessInfo.processInfo.environment["TALLY_REBUILD_LOG"] ?? dataDirectory + "-rebuild.log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        defer { try? log.close() }
        rebuild.standardError = log
        try rebuild.run()
        var requests = 0
        var failures = 0
        let body = #"{"userId":"tenant-1","periodDays":30}"#
        // A trickle, not a burst: the replay keeps reaching the end of a log that is still growing,
        // and the live server's pause offsets lie beyond the ends it saw. A replay that took an old
        // partition-EOF for the end of a short log skipped what came after (the flaky failure).
        let producing = Task.detached {
            var ends: [TopicPartition: Int64] = [:]
            for start in stride(from: 16_000, to: 20_000, by: 40) {
                ends.merge(try TestEnvironment.produce(events[start..<(start + 40)], to: topics, with: producer).endOffsets) { Swift.max($0, $1) }
                try await Task.sleep(for: .milliseconds(40))
            }
            return ends
        }
        while rebuild.isRunning {
            do {
                _ = try await HTTPFetch.report(port: port, secret: secret, reportId: "clr3m5n8k000608jq3k0l1m7g", body: body)
                requests += 1
            } catch {
                failures += 1
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        let (status, summary, _) = await OffPool.finish(rebuild, output: output, errors: nil)
        let rebuildLog = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        #expect(status == 0, "rebuild said: \(summary)\n\(rebuildLog.suffix(4000))")
        ends.merge(try await producing.value) { Swift.max($0, $1) }
        let result = try #require(try JSONSerialization.jsonObject(with: Data(summary.utf8)) as? [String: Any])
        #expect(result["switched"] as? Bool == true && result["verified"] as? Bool == true)
        let newFile = try #require(result["to"] as? String)
        #expect(StoreLocation(dataDirectory: dataDirectory).currentFileName == newFile)
        #expect(FileManager.default.fileExists(atPath: dataDirectory + "/" + StoreLocation.defaultFileName + ".previous"))
        #expect(failures == 0 && requests > 0)

        // Ingest goes on into the rebuilt store; keys came along.
        ends.merge(try TestEnvironment.produce(events[20_000...], to: topics, with: producer).endOffsets) { Swift.max($0, $1) }
        try await TestEnvironment.waitUntilCaughtUp(try TallyStore(dataDirectory: dataDirectory), to: ends)
        let oracle = ReportOracle(events: events)
        for tenant in ["tenant-1", "tenant-3"] {
            for report in ReportCatalog.all {
                let actual = try await HTTPFetch.report(port: port, secret: secret, reportId: report.id, body: #"{"userId":"\#(tenant)","periodDays":30}"#)
                #expect(oracle.expected(reportId: report.id, tenant: tenant, periodDays: 30, end: end).map(actual.agrees(with:)) == true, "\(report.name) \(tenant)")
            }
        }
        print("rebuild: \(result["events"] ?? 0) events replayed at \(Int(result["eventsPerSecond"] as? Double ?? 0))/s, \(requests) requests during the rebuild, \(failures) failed")
    }

    @Test("a rebuild beside a server starved of CPU for seconds still pauses it, verifies, and switches")
    func rebuildBesideStalledServer() async throws {
        let brokers = try TestEnvironment.brokers()
        let binary = try TestEnvironment.tallyBinary()
        let topics = TestEnvironment.uniqueTopics("stalled")
        let dataDirectory = TestEnvironment.temporaryDirectory("stalled")
        let end = TestEnvironment.today
        let events = Array(TrafficGenerator(seed: 47, tenants: 3, days: 10, endDay: end, total: 8_000))
        let producer = try KafkaProducer(brokers: brokers)
        try producer.createTopics(topics, partitions: 2)
        let secret = try SettingsStore(dataDirectory: dataDirectory).createKey(name: "test", role: .admin, userId: nil).secret
        let server = ServerProcess(binary: binary, arguments: [
            "serve", "--brokers", brokers, "--topics", topics.joined(separator: ","), "--data-dir", dataDirectory,
        ], logPath: dataDirectory + "-serve.log", logLevel: "info")
        try server.start()
        defer { server.terminate() }
        let port = try await server.waitForHTTPPort()
        var ends = try TestEnvironment.produce(events[..<6_000], to: topics, with: producer).endOffsets
        try await TestEnvironment.waitUntilCaughtUp(try TallyStore(dataDirectory: dataDirectory), to: ends)

        // The server gets no CPU for 14 s, as on a machine busy with other work: it writes nothing
        // and answers nothing meanwhile, while new events wait for it on the topics. The rebuild
        // starts 6 s into the stall and reaches its handshake while the server is still stopped.
        try #require(server.signal(SIGSTOP))
        ends.merge(try TestEnvironment.produce(events[6_000...], to: topics, with: producer).endOffsets) { Swift.max($0, $1) }
        try await Task.sleep(for: .seconds(6))
        let rebuild = Process()
        rebuild.executableURL = URL(fileURLWithPath: binary)
        rebuild.arguments = ["rebuild", "--brokers", brokers, "--data-dir", dataDirectory]
        let output = Pipe()
        let log = Pipe()
        rebuild.standardOutput = output
        rebuild.standardError = log
        try rebuild.run()
        try await Task.sleep(for: .seconds(8))
        try #require(server.signal(SIGCONT))
        let (status, summary, rebuildLog) = await OffPool.finish(rebuild, output: output, errors: log)
        #expect(status == 0, "rebuild said: \(summary)\n\(rebuildLog.suffix(4000))")
        #expect(rebuildLog.contains("asking the live server to pause"), "the rebuild took the stalled server for none")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(summary.utf8)) as? [String: Any])
        #expect(result["switched"] as? Bool == true && result["verified"] as? Bool == true)

        // The server switched, and counts what waited for it into the rebuilt store.
        do {
            try await TestEnvironment.waitUntilCaughtUp(try TallyStore(dataDirectory: dataDirectory), to: ends, timeout: .seconds(60))
        } catch {
            Issue.record("the server's log: \(server.logLines().suffix(40).joined(separator: "\n"))")
            throw error
        }
        let oracle = ReportOracle(events: events)
        for tenant in ["tenant-1", "tenant-2"] {
            for report in ReportCatalog.all {
                let actual = try await HTTPFetch.report(port: port, secret: secret, reportId: report.id, body: #"{"userId":"\#(tenant)","periodDays":30}"#)
                #expect(oracle.expected(reportId: report.id, tenant: tenant, periodDays: 30, end: end).map(actual.agrees(with:)) == true, "\(report.name) \(tenant)")
            }
        }
    }

    @Test("a store that differs from its topics is reported by tenant and day and not switched")
    func mismatchIsNotSwitched() async throws {
        let brokers = try TestEnvironment.brokers()
        let binary = try TestEnvironment.tallyBinary()
        let topics = TestEnvironment.uniqueTopics("mismatch")
        let dataDirectory = TestEnvironment.temporaryDirectory("mismatch")
        let end = TestEnvironment.today
        let events = Array(TrafficGenerator(seed: 5, tenants: 2, days: 5, endDay: end, total: 3_000))
        let producer = try KafkaProducer(brokers: brokers)
        try producer.createTopics(topics, partitions: 1)
        let server = ServerProcess(binary: binary, arguments: [
            "serve", "--brokers", brokers, "--topics", topics.joined(separator: ","), "--data-dir", dataDirectory,
        ])
        try server.start()
        defer { server.terminate() }
        _ = try await server.waitForHTTPPort()
        let ends = try TestEnvironment.produce(events, to: topics, with: producer).endOffsets
        let live = try TallyStore(dataDirectory: dataDirectory)
        try await TestEnvironment.waitUntilCaughtUp(live, to: ends)
        // A count that no topic explains: one rating for tenant-2, three days ago.
        let stray = Event(id: "stray", kind: .ratingCreated(value: 9), userId: "tenant-2",
                          occurredAtMillis: Int64(end.advanced(by: -3).number) * 86_400_000 + 1000)
        try live.apply(IngestBatch(events: [stray]))

        let rebuild = Process()
        rebuild.executableURL = URL(fileURLWithPath: binary)
        rebuild.arguments = ["rebuild", "--brokers", brokers, "--data-dir", dataDirectory]
        let errors = Pipe()
        rebuild.standardError = errors
        rebuild.standardOutput = FileHandle.nullDevice
        try rebuild.run()
        let (status, _, log) = await OffPool.finish(rebuild, output: nil, errors: errors)
        #expect(status == 3)
        #expect(log.contains("differs: userId tenant-2 day \(end.advanced(by: -3).iso)"))
        #expect(StoreLocation(dataDirectory: dataDirectory).currentFileName == StoreLocation.defaultFileName)
        // The live server resumed: new events are still counted.
        let more = Array(TrafficGenerator(seed: 6, tenants: 2, days: 1, endDay: end, total: 500))
        try await TestEnvironment.waitUntilCaughtUp(live, to: try TestEnvironment.produce(more, to: topics, with: producer).endOffsets)
    }
}
