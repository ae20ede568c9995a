import Foundation
import Testing
import TallyDomain
import TallyKafka
import TallyStore
import TallyTestSupport

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Scheduled reports through the real `tally serve` and a real SMTP server on loopback, on the
/// real clock: a schedule created over HTTP delivers within a minute; a `kill -9` between
/// recipients sends no recipient a second copy except the one in flight; two servers on one data
/// directory mail each (instant, recipient) once. Messages are read back by Python's email package.
@Suite("Scheduled mail through tally serve")
struct ScheduledMailTests {
    /// A data directory with a tenant's rollups and an admin key, and the arguments of `serve` with mail.
    struct Setup {
        var dataDirectory: String
        var secret: String
        var arguments: [String]

        init(_ label: String, sink: SMTPSink, extra: [String] = []) throws {
            let brokers = try TestEnvironment.brokers()
            let topics = TestEnvironment.uniqueTopics(label)
            try KafkaProducer(brokers: brokers).createTopics(topics, partitions: 1)
            dataDirectory = TestEnvironment.temporaryDirectory(label)
            let store = try TallyStore(dataDirectory: dataDirectory)
            try store.apply(IngestBatch(events: Array(TrafficGenerator(seed: 21, tenants: 1, days: 30, endDay: TestEnvironment.today, total: 3_000))))
            secret = try TestEnvironment.adminSecret(dataDirectory: dataDirectory)
            arguments = ["serve", "--brokers", brokers, "--topics", topics.joined(separator: ","), "--data-dir", dataDirectory,
                         "--smtp-url", "smtp://127.0.0.1:\(sink.port)", "--smtp-from", "reports@tally.example", "--smtp-timeout", "5s"] + extra
        }
    }

    static let tenant = TrafficGenerator.tenantId(0)

    static func scheduleBody(cron: String, recipients: [String]) -> String {
        let list = recipients.map { "\"\($0)\"" }.joined(separator: ",")
        return #"{"type":"usage","format":"pdf","user_id":"\#(tenant)","title":"Daily usage","cron":"\#(cron)","timezone":"UTC","recipients":[\#(list)],"period":"previous_day"}"#
    }

    /// A cron expression firing once, at the next UTC minute at least `lead` seconds away.
    static func nextMinuteCron(lead: Int) -> String {
        let now = Int64(Date().timeIntervalSince1970)
        let minute = (now + Int64(lead) + 59) / 60 * 60
        let seconds = minute % 86_400
        return "\(seconds % 3600 / 60) \(seconds / 3600) * * *"
    }

    @Test("a schedule created over HTTP with `* * * * *` delivers within 70 s; the run history says sent; the attachment is the report")
    func deliversWithinAMinute() async throws {
        let sink = try await OffPool.run { Result { try SMTPSink() } }.get()
        defer { sink.stop() }
        let setup = try Setup("sched-e2e", sink: sink)
        let server = ServerProcess(binary: try TestEnvironment.tallyBinary(), arguments: setup.arguments, logPath: setup.dataDirectory + "/serve.log")
        defer { server.terminate() }
        try server.start()
        let port = try await server.waitForHTTPPort()
        let recipients = ["ops@example.com", "cfo@example.com"]
        let (status, created) = try await ReportCrashTests.call(port, "POST", "api/v1/reports/schedule", setup.secret,
                                                                body: Self.scheduleBody(cron: "* * * * *", recipients: recipients))
        try #require(status == 201, "create answered \(status): \(created)")
        let id = try #require(created["schedule_id"] as? String)
        let createdAt = ContinuousClock.now

        while sink.messages().count < recipients.count, ContinuousClock.now < createdAt + .seconds(70) {
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(sink.messages().count >= recipients.count, "no mail within 70 s")
        var run: [String: Any] = [:]
        for _ in 0..<50 {
            let (_, runs) = try await ReportCrashTests.call(port, "GET", "api/v1/reports/schedule/\(id)/runs", setup.secret)
            run = ((runs["items"] as? [[String: Any]]) ?? []).last ?? [:]
            if run["state"] as? String == "sent" { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(run["state"] as? String == "sent", "\(run)")
        let deliveries = run["deliveries"] as? [[String: Any]] ?? []
        #expect(Set(deliveries.compactMap { $0["recipient"] as? String }) == Set(recipients))
        #expect(deliveries.allSatisfy { $0["state"] as? String == "sent" && ($0["reply"] as? String ?? "").hasPrefix("250") }, "\(deliveries)")

        // The attachment is the report file, as downloaded, byte for byte.
        let reportId = try #require(run["report_id"] as? String)
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/api/v1/reports/\(reportId)/download")!)
        request.setValue("Bearer \(setup.secret)", forHTTPHeaderField: "Authorization")
        let (file, _) = try await URLSession.shared.data(for: request)
        let downloaded = setup.dataDirectory + "/downloaded.pdf"
        try file.write(to: URL(fileURLWithPath: downloaded))
        let expectedSha = try await OffPool.run { Result { try ReceivedMail.sha256(ofFile: downloaded) } }.get()
        let mail = try await OffPool.run { Result { try ReceivedMail.read(sink.messages()) } }.get()
        let first = mail.filter { $0.messageId.contains(".\(Self.instantSeconds(run)).") }
        #expect(first.count == recipients.count)
        #expect(first.allSatisfy { $0.attachmentType == "application/pdf" && $0.attachmentSha256 == expectedSha && $0.defects.isEmpty }, "\(first)")

        let (_, raw) = try await ReportCrashTests.call(port, "GET", "healthz", setup.secret)
        #expect((raw["failedScheduledRuns24h"] as? NSNumber)?.intValue == 0, "\(raw)")

        // The metrics, read by prometheus_client's parser: the run, its mail and its report counted.
        let (text, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/metrics")!)
        let metrics = try await OffPool.run { Result { try ParsedMetrics.parse(String(decoding: text, as: UTF8.self)) } }.get()
        #expect(metrics.families["tally_scheduled_runs"]?.type == "counter")
        #expect(metrics.sum("tally_scheduled_runs_total", ["outcome": "sent"]) >= 1)
        #expect(metrics.sum("tally_mail_sent_total") >= Double(recipients.count))
        #expect(metrics.sum("tally_report_jobs_finished_total", ["state": "completed"]) >= 1)
        #expect(metrics.families["tally_report_generation_seconds"]?.type == "histogram")
        #expect(metrics.sum("tally_report_generation_seconds_count") >= 1)
        #expect(metrics.samples("tally_report_jobs", ["state": "pending"]).count == 1)
        #expect(metrics.sum("tally_scheduled_runs_failed_24h") == 0)
    }

    @Test("kill -9 between recipients: after the restart each recipient has the report, and only the one in flight may have it twice")
    func killBetweenRecipients() async throws {
        let sink = try await OffPool.run { Result { try SMTPSink(delayMilliseconds: 1500) } }.get()
        defer { sink.stop() }
        let setup = try Setup("sched-kill", sink: sink)
        let server = ServerProcess(binary: try TestEnvironment.tallyBinary(), arguments: setup.arguments, logPath: setup.dataDirectory + "/serve.log")
        defer { server.terminate() }
        try server.start()
        var port = try await server.waitForHTTPPort()
        let recipients = (1...5).map { "r\($0)@example.com" }
        let (status, created) = try await ReportCrashTests.call(port, "POST", "api/v1/reports/schedule", setup.secret,
                                                                body: Self.scheduleBody(cron: Self.nextMinuteCron(lead: 15), recipients: recipients))
        try #require(status == 201, "create answered \(status): \(created)")
        let id = try #require(created["schedule_id"] as? String)

        // Kill once two messages have arrived and more are to come.
        let killedAfter: Int = await OffPool.run {
            let deadline = Date().addingTimeInterval(120)
            while sink.messages().count < 2, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
            server.kill9()
            return sink.messages().count
        }
        try #require(killedAfter >= 2 && killedAfter < recipients.count, "the kill did not land between recipients: \(killedAfter) messages")
        try server.start()
        port = try await server.waitForHTTPPort()

        var run: [String: Any] = [:]
        let deadline = ContinuousClock.now + .seconds(90)
        while ContinuousClock.now < deadline {
            let (_, runs) = try await ReportCrashTests.call(port, "GET", "api/v1/reports/schedule/\(id)/runs", setup.secret)
            run = ((runs["items"] as? [[String: Any]]) ?? []).last ?? [:]
            if let state = run["state"] as? String, state != "running" { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect(run["state"] as? String == "sent", "\(run)")
        try await Task.sleep(for: .seconds(2))
        let mail = try await OffPool.run { Result { try ReceivedMail.read(sink.messages()) } }.get()
        var copies: [String: Int] = [:]
        for message in mail { copies[message.to, default: 0] += 1 }
        #expect(recipients.allSatisfy { copies[$0, default: 0] >= 1 }, "\(copies)")
        let twice = copies.filter { $0.value > 1 }
        #expect(twice.count <= 1 && twice.values.allSatisfy { $0 == 2 }, "more than the in-flight recipient got a second copy: \(copies)")
        // A second copy carries the same Message-ID, so it is recognisable as one.
        for recipient in twice.keys { #expect(Set(mail.filter { $0.to == recipient }.map(\.messageId)).count == 1) }
        print("scheduled-kill: killed after \(killedAfter) of \(recipients.count) messages; copies \(copies.sorted { $0.key < $1.key })")
    }

    @Test("two tally serve on one data directory mail each (instant, recipient) once")
    func twoServersOneDataDirectory() async throws {
        let sink = try await OffPool.run { Result { try SMTPSink() } }.get()
        defer { sink.stop() }
        let setup = try Setup("sched-two", sink: sink)
        let group = "sched-two-\(UUID().uuidString)"
        let servers = (0..<2).map { index in
            ServerProcess(binary: (try? TestEnvironment.tallyBinary()) ?? "", arguments: setup.arguments,
                          logPath: setup.dataDirectory + "/serve-\(index).log", group: group)
        }
        defer { servers.forEach { $0.terminate() } }
        for server in servers { try server.start() }
        var ports: [Int] = []
        for server in servers { ports.append(try await server.waitForHTTPPort()) }
        let recipients = ["a@example.com", "b@example.com", "c@example.com"]
        let (status, created) = try await ReportCrashTests.call(ports[0], "POST", "api/v1/reports/schedule", setup.secret,
                                                                body: Self.scheduleBody(cron: "* * * * *", recipients: recipients))
        try #require(status == 201, "create answered \(status): \(created)")
        let id = try #require(created["schedule_id"] as? String)

        // The first instant is up to a minute away, and the two servers' group must settle before
        // either starts a run; on a machine busy with the other integration tests that has taken
        // most of 100 s, so the wait is 200 s, and a failure says what the last poll answered.
        var finished: [[String: Any]] = []
        var last: (status: Int, body: [String: Any]) = (0, [:])
        let deadline = ContinuousClock.now + .seconds(200)
        while ContinuousClock.now < deadline {
            last = try await ReportCrashTests.call(ports[1], "GET", "api/v1/reports/schedule/\(id)/runs", setup.secret)
            finished = ((last.body["items"] as? [[String: Any]]) ?? []).filter { ($0["state"] as? String) == "sent" }
            if !finished.isEmpty { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        try #require(!finished.isEmpty, "no run was sent within 200 s; the last poll answered \(last.status): \(last.body)")
        let mail = try await OffPool.run { Result { try ReceivedMail.read(sink.messages()) } }.get()
        #expect(Set(mail.map(\.messageId)).count == mail.count, "an (instant, recipient) was mailed twice: \(mail.map(\.messageId).sorted())")
        for run in finished {
            let instant = Self.instantSeconds(run)
            #expect(mail.filter { $0.messageId.contains(".\(instant).") }.count == recipients.count, "run at \(instant)")
        }
        print("scheduled-two: \(finished.count) runs sent by two servers, \(mail.count) messages, no (instant, recipient) twice")
    }

    /// The run's instant in seconds since the epoch, as the Message-ID carries it.
    static func instantSeconds(_ run: [String: Any]) -> Int64 {
        (run["scheduled_at"] as? String).flatMap(RFC3339.epochMilliseconds).map { $0 / 1000 } ?? -1
    }
}
