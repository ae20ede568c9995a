import Foundation
import GRDB
import Testing
import TallyDomain
import TallyKafka
import TallySettings
@testable import TallyStore
import TallyTestSupport

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `tally rebuild --tenant` and `--from-date/--to-date` beside a live `tally serve`: rows damaged
/// with plain SQL inside the scope are found by tenant and day, repaired with `--force` through a
/// switch that fails no request, and every report of every tenant then equals the oracle.
@Suite("Partial rebuild by replay", .serialized)
struct PartialRebuildTests {
    /// One finished `tally rebuild` run.
    struct Run {
        var status: Int32
        var output: String
        var log: String

        var json: [String: Any]? { try? JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any] }
        /// The `differs:` lines of the log.
        var differences: Set<String> { Set(log.split(separator: "\n").filter { $0.hasPrefix("differs: ") }.map(String.init)) }
    }

    /// A data directory served by `tally serve`, with events ingested and an admin key.
    struct Served {
        var server: ServerProcess
        var port: Int
        var secret: String
        var dataDirectory: String
        var brokers: String
        var binary: String
        var topics: [String]
        var producer: KafkaProducer
    }

    static func serve(_ events: [Event], label: String) async throws -> Served {
        let brokers = try TestEnvironment.brokers()
        let binary = try TestEnvironment.tallyBinary()
        let topics = TestEnvironment.uniqueTopics(label)
        let dataDirectory = TestEnvironment.temporaryDirectory(label)
        let producer = try KafkaProducer(brokers: brokers)
        try producer.createTopics(topics, partitions: 2)
        let secret = try SettingsStore(dataDirectory: dataDirectory).createKey(name: "test", role: .admin, userId: nil).secret
        let server = ServerProcess(binary: binary, arguments: [
            "serve", "--brokers", brokers, "--topics", topics.joined(separator: ","), "--data-dir", dataDirectory,
        ])
        try server.start()
        let port = try await server.waitForHTTPPort()
        let ends = try TestEnvironment.produce(events, to: topics, with: producer).endOffsets
        try await TestEnvironment.waitUntilCaughtUp(try TallyStore(dataDirectory: dataDirectory), to: ends)
        return Served(server: server, port: port, secret: secret, dataDirectory: dataDirectory, brokers: brokers, binary: binary,
                      topics: topics, producer: producer)
    }

    /// Runs `tally rebuild` on the served directory, sending report requests until it exits;
    /// returns the run, how many requests were sent and how many failed.
    static func rebuild(_ served: Served, _ arguments: [String]) async throws -> (Run, requests: Int, failures: Int) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: served.binary)
        process.arguments = ["rebuild", "--brokers", served.brokers, "--data-dir", served.dataDirectory] + arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let log = Task { await OffPool.run { errors.fileHandleForReading.readDataToEndOfFile() } }
        var failures = 0
        var requests = 0
        while process.isRunning {
            do {
                _ = try await HTTPFetch.report(port: served.port, secret: served.secret, reportId: "clr3m5n8k000308jq1h7i8j4d",
                                               body: #"{"userId":"tenant-\#(requests % 3 + 1)","periodDays":30}"#)
            } catch {
                failures += 1
            }
            requests += 1
            try await Task.sleep(for: .milliseconds(20))
        }
        let (status, out, _) = await OffPool.finish(process, output: output, errors: nil)
        let run = Run(status: status, output: out, log: String(decoding: await log.value, as: UTF8.self))
        return (run, requests, failures)
    }

    /// Damages `tenant`'s rows on `days` in the live store, as a bug or a bad hand edit would.
    static func corrupt(_ dataDirectory: String, tenant: String, days: [Day]) throws {
        let store = try TallyStore(dataDirectory: dataDirectory)
        try store.write { db in
            for (index, day) in days.enumerated() {
                if index % 2 == 0 {
                    try db.execute(sql: "UPDATE daily_counters SET messages = messages + 5 WHERE tenant = ? AND day = ?", arguments: [tenant, day.number])
                } else {
                    try db.execute(sql: "DELETE FROM daily_bitmaps WHERE tenant = ? AND day = ? AND set_kind = ?",
                                   arguments: [tenant, day.number, MemberSet.activeContacts.rawValue])
                }
                #expect(db.changesCount == 1, "nothing to damage for \(tenant) on \(day.iso)")
            }
        }
    }

    /// Every report of every tenant over HTTP, against the oracle.
    static func expectReportsMatch(_ served: Served, _ events: [Event], end: Day) async throws {
        let oracle = ReportOracle(events: events)
        for tenant in ["tenant-1", "tenant-2", "tenant-3"] {
            for report in ReportCatalog.all {
                let actual = try await HTTPFetch.report(port: served.port, secret: served.secret, reportId: report.id,
                                                        body: #"{"userId":"\#(tenant)","periodDays":30}"#)
                #expect(oracle.expected(reportId: report.id, tenant: tenant, periodDays: 30, end: end).map(actual.agrees(with:)) == true, "\(report.name) \(tenant)")
            }
        }
    }

    static func storeFiles(_ dataDirectory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dataDirectory).sorted()
    }

    @Test("--tenant finds exactly the tenant's damaged days, and --force repairs them with no failed request")
    func tenantRebuild() async throws {
        let end = TestEnvironment.today
        let events = Array(TrafficGenerator(seed: 61, tenants: 3, days: 20, endDay: end, total: 9_000))
        let served = try await Self.serve(events, label: "partial-tenant")
        defer { served.server.terminate() }
        let damaged = [end.advanced(by: -2), end.advanced(by: -7), end.advanced(by: -11)]
        try Self.corrupt(served.dataDirectory, tenant: "tenant-2", days: damaged)

        let (check, _, _) = try await Self.rebuild(served, ["--tenant", "tenant-2"])
        #expect(check.status == 3, "rebuild said: \(check.output) \(check.log)")
        #expect(check.differences == Set(damaged.map { "differs: userId tenant-2 day \($0.iso)" }))
        #expect(check.json?["scope"] as? [String: String] == ["userId": "tenant-2"])
        #expect(StoreLocation(dataDirectory: served.dataDirectory).currentFileName == StoreLocation.defaultFileName)
        #expect(try !Self.storeFiles(served.dataDirectory).contains { $0.contains("-replay") })

        let (forced, requests, failures) = try await Self.rebuild(served, ["--tenant", "tenant-2", "--force"])
        #expect(forced.status == 0, "rebuild said: \(forced.output) \(forced.log)")
        let result = try #require(forced.json)
        #expect(result["switched"] as? Bool == true && result["verified"] as? Bool == false && result["differences"] as? Int == damaged.count)
        #expect(StoreLocation(dataDirectory: served.dataDirectory).currentFileName == result["to"] as? String)
        #expect(FileManager.default.fileExists(atPath: served.dataDirectory + "/" + StoreLocation.defaultFileName + ".previous"))
        #expect(try !Self.storeFiles(served.dataDirectory).contains { $0.contains("-replay") })
        #expect(failures == 0 && requests > 0)
        try await Self.expectReportsMatch(served, events, end: end)

        // Ingest goes on into the switched store, from the offsets the copy carried over.
        let more = Array(TrafficGenerator(seed: 64, tenants: 3, days: 2, endDay: end, total: 1_500))
        let ends = try TestEnvironment.produce(more, to: served.topics, with: served.producer).endOffsets
        try await TestEnvironment.waitUntilCaughtUp(try TallyStore(dataDirectory: served.dataDirectory), to: ends)
        try await Self.expectReportsMatch(served, events + more, end: end)
    }

    @Test("--from-date/--to-date finds the damaged days inside the range only, and --force repairs them")
    func dateRangeRebuild() async throws {
        let end = TestEnvironment.today
        let events = Array(TrafficGenerator(seed: 62, tenants: 3, days: 20, endDay: end, total: 9_000))
        let served = try await Self.serve(events, label: "partial-dates")
        defer { served.server.terminate() }
        let (from, to) = (end.advanced(by: -12), end.advanced(by: -4))
        try Self.corrupt(served.dataDirectory, tenant: "tenant-1", days: [end.advanced(by: -5), end.advanced(by: -10)])
        try Self.corrupt(served.dataDirectory, tenant: "tenant-3", days: [end.advanced(by: -12)])

        let (check, _, _) = try await Self.rebuild(served, ["--from-date", from.iso, "--to-date", to.iso])
        #expect(check.status == 3, "rebuild said: \(check.output) \(check.log)")
        #expect(check.differences == [
            "differs: userId tenant-1 day \(end.advanced(by: -10).iso)", "differs: userId tenant-1 day \(end.advanced(by: -5).iso)",
            "differs: userId tenant-3 day \(end.advanced(by: -12).iso)",
        ])
        #expect(check.json?["scope"] as? [String: String] == ["fromDate": from.iso, "toDate": to.iso])

        let (forced, requests, failures) = try await Self.rebuild(served, ["--from-date", from.iso, "--to-date", to.iso, "--force"])
        #expect(forced.status == 0, "rebuild said: \(forced.output) \(forced.log)")
        #expect(forced.json?["switched"] as? Bool == true && forced.json?["differences"] as? Int == 3)
        #expect(failures == 0 && requests > 0)
        try await Self.expectReportsMatch(served, events, end: end)
    }

    @Test("without a running server, a partial rebuild switches the data directory itself")
    func rebuildWithoutServer() async throws {
        let end = TestEnvironment.today
        let events = Array(TrafficGenerator(seed: 63, tenants: 3, days: 10, endDay: end, total: 4_000))
        let served = try await Self.serve(events, label: "partial-alone")
        served.server.terminate()
        try Self.corrupt(served.dataDirectory, tenant: "tenant-3", days: [end.advanced(by: -1)])

        let (run, _, _) = try await Self.rebuild(served, ["--tenant", "tenant-3", "--from-date", end.advanced(by: -3).iso, "--force"])
        #expect(run.status == 0, "rebuild said: \(run.output) \(run.log)")
        #expect(run.json?["differences"] as? Int == 1)
        #expect(StoreLocation(dataDirectory: served.dataDirectory).currentFileName == run.json?["to"] as? String)
        let store = try TallyStore(dataDirectory: served.dataDirectory)
        let oracle = ReportOracle(events: events)
        for tenant in ["tenant-1", "tenant-2", "tenant-3"] {
            for report in ReportCatalog.all {
                let actual = try store.report(report, tenant: tenant, window: ReportWindow(periodDays: 7, end: end))
                #expect(oracle.expected(reportId: report.id, tenant: tenant, periodDays: 7, end: end).map(ReportOracle.Expected(actual).agrees(with:)) == true, "\(report.name) \(tenant)")
            }
        }
    }

    @Test("bad scope options are refused before anything is read or changed", arguments: [
        (["--from-date", "2026-02-10", "--to-date", "2026-02-01"], "--to-date 2026-02-01 is before --from-date 2026-02-10"),
        (["--from-date", "2026-02-30"], "--from-date must be a date as YYYY-MM-DD"),
        (["--to-date", "10/02/2026"], "--to-date must be a date as YYYY-MM-DD"),
        (["--tenant", ""], "--tenant must name a userId"),
    ])
    func badScope(arguments: [String], message: String) throws {
        let binary = try TestEnvironment.tallyBinary()
        let dataDirectory = TestEnvironment.temporaryDirectory("partial-bad")
        let store = try TallyStore(dataDirectory: dataDirectory)
        try store.apply(IngestBatch(events: Array(TrafficGenerator(seed: 7, tenants: 2, days: 3, endDay: TestEnvironment.today, total: 300)),
                                    offsets: [PartitionOffset(topic: "t", partition: 0, nextOffset: 300)]))
        try store.checkpoint()
        let before = try store.rollupChecksums()
        let files = try Self.storeFiles(dataDirectory)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["rebuild", "--brokers", "127.0.0.1:1", "--data-dir", dataDirectory] + arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // Refused before anything is read: the wait is short.
        let log = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()

        #expect(process.terminationStatus != 0)
        #expect(log.contains(message), "said: \(log)")
        #expect(try Self.storeFiles(dataDirectory) == files)
        #expect(try store.rollupChecksums() == before)
    }
}
