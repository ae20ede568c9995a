import Foundation
import GRDB
import Testing
import TallyDomain
import TallyKafka
import TallySettings
import TallyStore
import TallyTestSupport

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Runs the real `tally serve`, accepts a queue of report jobs in every format, SIGKILLs the
/// server three times (the moment a job is seen running; after 30 s without one, with jobs
/// pending), and checks after the last restart that every
/// accepted job completed and that every file served is whole: its bytes hash to the SHA-256 the
/// metadata and the ETag state, and its length is `size_bytes`.
@Suite("Report jobs across kill -9", .serialized)
struct ReportCrashTests {
    static let formats = ["pdf", "xlsx", "html", "csv", "json"]

    @Test("kill -9 while reports are generated loses no accepted job; jobs left running run again; no half file is served")
    func killNineDuringGeneration() async throws {
        let brokers = try TestEnvironment.brokers()
        let binary = try TestEnvironment.tallyBinary()
        let topics = TestEnvironment.uniqueTopics("report-crash")
        let dataDirectory = TestEnvironment.temporaryDirectory("report-crash")
        let end = TestEnvironment.today
        let events = Array(TrafficGenerator(seed: 77, tenants: 2, days: 120, endDay: end, total: 30_000))
        try KafkaProducer(brokers: brokers).createTopics(topics, partitions: 1)
        let store = try TallyStore(dataDirectory: dataDirectory)
        try store.apply(IngestBatch(events: events))
        let settings = try SettingsStore(dataDirectory: dataDirectory)
        let secret = try settings.createKey(name: "test", role: .admin, userId: nil).secret
        let server = ServerProcess(binary: binary, arguments: [
            "serve", "--brokers", brokers, "--topics", topics.joined(separator: ","), "--data-dir", dataDirectory, "--report-workers", "2",
        ], logPath: dataDirectory + "/serve.log")
        defer { server.terminate() }
        try server.start()
        var port = try await server.waitForHTTPPort()

        // A year of every section, so that each job takes a while and the queue stays busy.
        let sections = #"["usage_summary","message_mix","contacts_growth","conversation_depth","response_times","hourly_heatmap","bot_breakdown","channel_breakdown","satisfaction_scores","alerts","ingest_health"]"#
        var ids: [String] = []
        for index in 0..<20 {
            let body = #"{"type":"custom","sections":\#(sections),"format":"\#(Self.formats[index % Self.formats.count])","user_id":"\#(TrafficGenerator.tenantId(index % 2))","period_days":366}"#
            let (status, object) = try await Self.call(port, "POST", "api/v1/reports/generate", secret, body: body)
            try #require(status == 202, "generate answered \(status): \(object)")
            ids.append(try #require(object["report_id"] as? String))
        }

        // Kill the moment the settings store shows a job running (read with plain SQL on a thread
        // of its own, so that other tests blocking the cooperative pool cannot make it miss the
        // moment); a kill counts when that job is still `running` after it, so it landed before the
        // job completed.
        let reader = try DatabaseQueue(path: dataDirectory + "/" + SettingsStore.fileName, configuration: {
            var configuration = Configuration()
            configuration.readonly = true
            configuration.busyMode = .timeout(5)
            return configuration
        }())
        var killsWhileRunning = 0
        for _ in 0..<3 {
            // Waits up to 30 s for a running job, then kills either way: a kill with jobs pending
            // must lose none of them either.
            let landedWhileRunning: Bool = await OffPool.run {
                let deadline = Date().addingTimeInterval(30)
                func runningJob() -> String? { try? reader.read { try String.fetchOne($0, sql: "SELECT id FROM report_jobs WHERE state = 'running' LIMIT 1") } }
                var seen: String?
                while seen == nil, Date() < deadline {
                    seen = runningJob()
                    if seen == nil { Thread.sleep(forTimeInterval: 0.005) }
                }
                server.kill9()
                guard let id = seen else { return false }
                let state = try? reader.read { try String.fetchOne($0, sql: "SELECT state FROM report_jobs WHERE id = ?", arguments: [id]) }
                return state == "running"
            }
            if landedWhileRunning { killsWhileRunning += 1 }
            try server.start()
            port = try await server.waitForHTTPPort()
        }

        // Every accepted job completes, and its file is whole.
        let deadline = ContinuousClock.now + .seconds(300)
        var states: [String: String] = [:]
        while ContinuousClock.now < deadline {
            for id in ids where states[id] != "completed" && states[id] != "failed" {
                states[id] = try await Self.call(port, "GET", "api/v1/reports/\(id)/status", secret).1["state"] as? String
            }
            if states.values.allSatisfy({ $0 == "completed" || $0 == "failed" }) && states.count == ids.count { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(ids.allSatisfy { states[$0] == "completed" }, "\(states)")
        for id in ids {
            let (_, metadata) = try await Self.call(port, "GET", "api/v1/reports/\(id)", secret)
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/api/v1/reports/\(id)/download")!)
            request.setValue("Bearer \(secret)", forHTTPHeaderField: "Authorization")
            let (data, response) = try await URLSession.shared.data(for: request)
            let http = try #require(response as? HTTPURLResponse)
            #expect(http.statusCode == 200)
            let digest = SHA256.hex(Array(data))
            #expect(digest == metadata["sha256"] as? String, "\(id): the bytes served hash to the recorded SHA-256")
            #expect(http.value(forHTTPHeaderField: "ETag") == "\"\(digest)\"")
            #expect(data.count == (metadata["size_bytes"] as? NSNumber)?.intValue)
        }
        print("report-crash: \(ids.count) jobs, \(killsWhileRunning) SIGKILLs while a job was running, all completed whole")
    }

    static func call(_ port: Int, _ method: String, _ path: String, _ secret: String, body: String? = nil) async throws -> (Int, [String: Any]) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/\(path)")!)
        request.httpMethod = method
        request.setValue("Bearer \(secret)", forHTTPHeaderField: "Authorization")
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, object)
    }
}
