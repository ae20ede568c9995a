import Foundation
import Testing
import TallyDomain
import TallyKafka
import TallySettings
import TallyStore
import TallyTestSupport

/// A tenant's time zone changed over HTTP on a live `tally serve` while events keep arriving: the
/// server re-buckets the tenant by itself (partial rebuild, pause, switch), reports answer in the
/// old zone and say so until then, and afterwards every report of the tenant equals the oracle in
/// the new zone (across a DST change), while the UTC tenants stay exactly as they were.
@Suite("Tenant time zones beside a live server", .serialized)
struct TenantZoneTests {
    static let zone = "America/New_York"
    static let tenants = ["tenant-1", "tenant-2", "tenant-3"]

    @Test("PUT a zone on a live server: re-bucketed in place while events arrive, every report then equals the oracle")
    func rebucketWhileIngesting() async throws {
        let brokers = try TestEnvironment.brokers()
        let topics = TestEnvironment.uniqueTopics("zones")
        let dataDirectory = TestEnvironment.temporaryDirectory("zones")
        let end = TestEnvironment.today
        let newYork = try #require(TimeZone(identifier: Self.zone))
        let transition = ZonedTraffic.lastTransition(in: newYork)
        // Long enough to hold the DST change, and the day before it for `change`.
        let periodDays = max(35, Int(Date().timeIntervalSince(transition) / 86_400) + 3)
        let initial = Array(TrafficGenerator(seed: 91, tenants: 3, days: periodDays, endDay: end, total: 8_000))
            + ZonedTraffic.around(transition, tenant: "tenant-1")
        let producer = try KafkaProducer(brokers: brokers)
        try producer.createTopics(topics, partitions: 2)
        let secret = try SettingsStore(dataDirectory: dataDirectory).createKey(name: "test", role: .admin, userId: nil).secret
        let server = ServerProcess(binary: try TestEnvironment.tallyBinary(), arguments: [
            "serve", "--brokers", brokers, "--topics", topics.joined(separator: ","), "--data-dir", dataDirectory,
        ], logPath: dataDirectory + "-serve.log", logLevel: "notice")
        try server.start()
        defer { server.terminate() }
        let port = try await server.waitForHTTPPort()
        var ends = try TestEnvironment.produce(initial, to: topics, with: producer).endOffsets
        try await TestEnvironment.waitUntilCaughtUp(try TallyStore(dataDirectory: dataDirectory), to: ends)

        // A window the arriving traffic (last two days, either zone) cannot reach: its answers are
        // known exactly in both zones whenever the switch happens.
        let stable = ReportWindowCheck(end: end.advanced(by: -3), periodDays: 7)
        let utcOracle = ReportOracle(events: initial)
        let zonedOracle = ReportOracle(events: initial, timeZones: ["tenant-1": newYork])
        let before = try await stable.mismatches(port: port, secret: secret, tenant: "tenant-1", utc: utcOracle, zoned: zonedOracle, zone: Self.zone)
        #expect(before.mismatches.isEmpty && before.unlabelled == ReportCatalog.all.count, "\(before)")

        let put = try await TenantZoneHTTP.put(port: port, secret: secret, userId: "tenant-1", body: #"{"timeZone":"\#(Self.zone)"}"#)
        #expect(put.status == 200 && put.json["timeZone"] as? String == Self.zone, "\(put.status) \(put.json)")
        #expect(put.activeTimeZone == "UTC" && put.state == "pending", "\(put.json)")

        // Until the switch the tenant's answers are UTC's and say the new zone is pending; the
        // replay of the topics takes seconds, so some are always seen before it.
        let during = try await stable.mismatches(port: port, secret: secret, tenant: "tenant-1", utc: utcOracle, zoned: zonedOracle, zone: Self.zone)
        #expect(during.mismatches.isEmpty && during.inOldZone > 0, "\(during)")

        var arrived: [Event] = []
        var states: [String] = []
        var batch = 0
        let active = try await TenantZoneHTTP.waitUntilActive(port: port, secret: secret, userId: "tenant-1", timeout: .seconds(180)) { answer in
            #expect(answer.status == 200 && answer.json["lastError"] == nil, "\(answer.status) \(answer.json)")
            if let state = answer.state, states.last != state { states.append(state) }
            if answer.state == "rebuilding" {
                let progress = answer.json["progress"] as? [String: Any]
                let percent = (progress?["percent"] as? NSNumber)?.intValue ?? -1
                #expect((0...100).contains(percent) && (progress?["events"] as? NSNumber) != nil, "\(answer.json)")
            }
            // New events keep arriving, for the tenant being re-bucketed too.
            if batch < 40 {
                batch += 1
                let events = ZonedTraffic.arriving(batch: batch, end: end, total: 60)
                arrived += events
                for (partition, offset) in try TestEnvironment.produce(events, to: topics, with: producer).endOffsets { ends[partition] = offset }
            }
        }
        // Never back: a `pending` after `rebuilding` would be a failed attempt or a switch not yet
        // visible. A short replay can pass between two polls, so a state may go unseen; the reports
        // answered in the old zone above showed that the change was pending.
        let order = ["pending", "rebuilding", "active"]
        let ranks = states.map { order.firstIndex(of: $0) ?? -1 }
        #expect(states.last == "active" && !ranks.contains(-1) && zip(ranks, ranks.dropFirst()).allSatisfy { $0 < $1 }, "states: \(states)")
        #expect(active.activeTimeZone == Self.zone && active.json["progress"] == nil && active.json["lastError"] == nil, "\(active.json)")

        // More after the switch, into the new zone's rollups.
        let after = ZonedTraffic.arriving(batch: 99, end: end, total: 400)
        for (partition, offset) in try TestEnvironment.produce(after, to: topics, with: producer).endOffsets { ends[partition] = offset }
        try await TestEnvironment.waitUntilCaughtUp(try TallyStore(dataDirectory: dataDirectory), to: ends)

        let all = initial + arrived + after
        let oracle = ReportOracle(events: all, timeZones: ["tenant-1": newYork])
        // The zones must disagree on these events, or a tenant left in UTC would pass as well.
        let hourly = "tly7r2q9w000608jqf8hrac0w"
        #expect(oracle.expected(reportId: hourly, tenant: "tenant-1", periodDays: periodDays, end: end)
            != ReportOracle(events: all).expected(reportId: hourly, tenant: "tenant-1", periodDays: periodDays, end: end))
        let found = try await ReportCheck.mismatches(port: port, secret: secret, oracle: oracle, tenants: Self.tenants, periods: [7, periodDays], end: end)
        #expect(found.isEmpty, "\(found.count) mismatches, first: \(found.prefix(3))\n\(server.logLines().suffix(20).joined(separator: "\n"))")
        let labels = try await TenantZoneHTTP.report(port: port, secret: secret, reportId: ReportCatalog.all[0].id,
                                                     body: ReportCheck.fetchBody(tenant: "tenant-1", periodDays: 7, end: end))
        #expect(labels.timeZone == Self.zone && labels.pendingTimeZone == nil)
        let utc = try await TenantZoneHTTP.report(port: port, secret: secret, reportId: ReportCatalog.all[0].id,
                                                  body: ReportCheck.fetchBody(tenant: "tenant-2", periodDays: 7, end: end))
        #expect(utc.timeZone == nil && utc.pendingTimeZone == nil)
        #expect(server.logLines().contains { $0.contains("tenant re-bucketed into its time zone") })
    }
}

/// Every report of one tenant over one window that later traffic cannot change, checked against
/// the oracle of the zone each answer says it is in.
struct ReportWindowCheck {
    var end: Day
    var periodDays: Int

    struct Result: CustomStringConvertible {
        var mismatches: [String] = []
        /// Answers without a zone label: a UTC tenant with no change asked for.
        var unlabelled = 0
        /// Answers in UTC that named `zone` as pending.
        var inOldZone = 0
        /// Answers in `zone`, after the switch.
        var inNewZone = 0
        var description: String { "\(unlabelled) unlabelled, \(inOldZone) in the old zone, \(inNewZone) in the new; mismatches: \(mismatches.prefix(3))" }
    }

    func mismatches(port: Int, secret: String, tenant: String, utc: ReportOracle, zoned: ReportOracle, zone: String) async throws -> Result {
        var result = Result()
        for report in ReportCatalog.all {
            let answer = try await TenantZoneHTTP.report(port: port, secret: secret, reportId: report.id,
                                                         body: ReportCheck.fetchBody(tenant: tenant, periodDays: periodDays, end: end))
            let oracle: ReportOracle
            switch (answer.timeZone, answer.pendingTimeZone) {
            case (nil, nil): oracle = utc; result.unlabelled += 1
            case ("UTC"?, zone?): oracle = utc; result.inOldZone += 1
            case (zone?, nil): oracle = zoned; result.inNewZone += 1
            default:
                result.mismatches.append("\(report.name): labelled timeZone \(answer.timeZone ?? "none"), pendingTimeZone \(answer.pendingTimeZone ?? "none")")
                continue
            }
            let expected = oracle.expected(reportId: report.id, tenant: tenant, periodDays: periodDays, end: end)
            if !(expected.map(answer.expected.agrees(with:)) ?? false) {
                result.mismatches.append("\(report.name): got \(answer.expected), want \(expected.map(\.description) ?? "nil")")
            }
        }
        return result
    }
}
