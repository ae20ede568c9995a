import Foundation
import Testing
import TallyDomain
import TallyKafka
import TallySettings
import TallyStore
import TallyTestSupport

/// Topics that lost what the store counted (a private broker restarted empty): a whole-history
/// zone change is refused with 409 `history_incomplete`, and one with `rebucketFrom` re-buckets
/// the tenant from that day on and keeps the older days as they were counted.
extension TenantZoneTests {
    static let shortZone = "Asia/Kathmandu"

    @Test("topics without the tenant's history: 409 history_incomplete, then rebucketFrom keeps older days and re-buckets the rest")
    func historyIncomplete() async throws {
        let workDirectory = TestEnvironment.temporaryDirectory("zones-history")
        try FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true)
        let broker = BrokerProcess(binary: try BrokerProcess.tansuBinary(), logPath: workDirectory + "/broker.log")
        defer { broker.stop() }
        try await broker.start()
        let topics = TestEnvironment.uniqueTopics("zones-history")
        let end = TestEnvironment.today
        // Older days only: the day re-bucketed from (`end`) holds none of them in either zone.
        let old = Array(TrafficGenerator(seed: 93, tenants: 2, days: 4, endDay: end.advanced(by: -1), total: 600))
        let ends = try {
            let producer = try KafkaProducer(brokers: broker.address)
            try producer.createTopics(topics, partitions: 2)
            return try TestEnvironment.produce(old, to: topics, with: producer).endOffsets
        }()
        let dataDirectory = workDirectory + "/data"
        let secret = try TestEnvironment.adminSecret(dataDirectory: dataDirectory)
        let server = ServerProcess(binary: try TestEnvironment.tallyBinary(), arguments: [
            "serve", "--brokers", broker.address, "--topics", topics.joined(separator: ","), "--data-dir", dataDirectory,
        ], logPath: workDirectory + "/serve.log", logLevel: "notice")
        defer { server.terminate() }
        try server.start()
        _ = try await server.waitForHTTPPort()
        try await TestEnvironment.waitUntilCaughtUp(try TallyStore(dataDirectory: dataDirectory), to: ends)

        // The broker comes back empty (Tansu keeps logs in memory): the store's offsets lie beyond
        // the new logs' ends.
        server.terminate()
        broker.stop()
        try await broker.start()
        let producer = try KafkaProducer(brokers: broker.address)
        try producer.createTopics(topics, partitions: 2)
        try server.start()
        let port = try await server.waitForHTTPPort()

        let refused = try await TenantZoneHTTP.put(port: port, secret: secret, userId: "tenant-1", body: #"{"timeZone":"\#(Self.shortZone)"}"#)
        #expect(refused.status == 409 && refused.errorCode == "history_incomplete", "\(refused.status) \(refused.json)")
        #expect(refused.errorMessage.contains("rebucketFrom") && topics.contains(where: refused.errorMessage.contains),
                "\(refused.errorMessage)")
        let unchanged = try await TenantZoneHTTP.get(port: port, secret: secret, userId: "tenant-1")
        #expect(unchanged.json["timeZone"] as? String == "UTC" && unchanged.state == "active", "\(unchanged.json)")

        let accepted = try await TenantZoneHTTP.put(port: port, secret: secret, userId: "tenant-1",
                                                    body: #"{"timeZone":"\#(Self.shortZone)","rebucketFrom":"\#(end.iso)"}"#)
        #expect(accepted.status == 200 && accepted.json["rebucketFrom"] as? String == end.iso, "\(accepted.status) \(accepted.json)")
        // New events on `end`, 00:30 to 03:30 UTC: 06:15 to 09:15 in Kathmandu, the same day.
        let new = Self.newEvents(tenant: "tenant-1", day: end)
        try TestEnvironment.produce(new, to: topics, with: producer)
        let active = try await TenantZoneHTTP.waitUntilActive(port: port, secret: secret, userId: "tenant-1", timeout: .seconds(180))
        #expect(active.activeTimeZone == Self.shortZone && active.json["activeFrom"] as? String == end.iso, "\(active.json)")

        // Days before `end` stay UTC's, of the old events; `end` is Kathmandu's, of the new ones.
        let kathmandu = try #require(TimeZone(identifier: Self.shortZone))
        let older = ReportOracle(events: old)
        let rebucketed = ReportOracle(events: new, timeZones: ["tenant-1": kathmandu])
        let found = try await Self.splitMismatches(port: port, secret: secret, older: older, rebucketed: rebucketed, end: end)
        #expect(found.isEmpty, "\(found.count) mismatches, first: \(found.prefix(3))\n\(server.logLines().suffix(20).joined(separator: "\n"))")
        let other = try await ReportCheck.mismatches(port: port, secret: secret, oracle: older, tenants: ["tenant-2"], periods: [7], end: end)
        #expect(other.isEmpty, "tenant-2: \(other.prefix(3))")
    }

    /// Conversations of `tenant` every 10 minutes from 00:30 to 03:30 UTC on `day`, new contacts.
    static func newEvents(tenant: String, day: Day) -> [Event] {
        stride(from: Int64(day.number) * 86_400_000 + 1_800_000, to: Int64(day.number) * 86_400_000 + 12_600_000, by: 600_000)
            .enumerated().flatMap { index, start in
                [Event.Kind.conversationCreated, .messageCreated(.user), .messageCreated(.bot)].enumerated().map { step, kind in
                    Event(id: "kathmandu-\(index)-\(step)", kind: kind, userId: tenant, occurredAtMillis: start + Int64(step) * 30_000,
                          conversationId: "kathmandu-conv-\(index)", contactId: "kathmandu-contact-\(index % 4)", botId: "bot-2", channel: "api",
                          tokens: step == 0 ? nil : 11)
                }
            }
    }

    /// Polls (at most 120 s: ingest re-reads the recreated logs after a grace period) until
    /// tenant-1's answers agree, then lists what still differs: the window before `end` against
    /// the old events in UTC, and `end` itself against the new ones in Kathmandu (its `change`
    /// compares with an old UTC day, and Total Contacts counts old contacts too, so those are left
    /// to the first window).
    static func splitMismatches(port: Int, secret: String, older: ReportOracle, rebucketed: ReportOracle, end: Day) async throws -> [String] {
        let deadline = ContinuousClock.now + .seconds(120)
        var found: [String] = []
        repeat {
            found = try await ReportCheck.mismatches(port: port, secret: secret, oracle: older, tenants: ["tenant-1"], periods: [4],
                                                     end: end.advanced(by: -1))
            for report in ReportCatalog.all where report.id != "clr3m5n8k000308jq1h7i8j4d" {
                let answer = try await TenantZoneHTTP.report(port: port, secret: secret, reportId: report.id,
                                                             body: ReportCheck.fetchBody(tenant: "tenant-1", periodDays: 1, end: end))
                guard var expected = rebucketed.expected(reportId: report.id, tenant: "tenant-1", periodDays: 1, end: end) else { continue }
                expected.change = answer.expected.change
                if !answer.expected.agrees(with: expected) || answer.timeZone != shortZone || answer.pendingTimeZone != nil {
                    found.append("\(report.name) on \(end.iso) (\(answer.timeZone ?? "UTC")): got \(answer.expected), want \(expected)")
                }
            }
            if found.isEmpty { return found }
            try await Task.sleep(for: .milliseconds(500))
        } while ContinuousClock.now < deadline
        return found
    }
}
