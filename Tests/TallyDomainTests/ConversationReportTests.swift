import Foundation
import Testing
import TallyDomain

/// Per-day conversation aggregates, as a store would hold them, and nothing else.
fileprivate struct ConversationRollups: RollupReading {
    var metrics: [Day: ConversationDayMetrics]

    func counters(tenant: String, from: Day, through: Day) throws -> [Day: DailyCounters] { [:] }
    func dailyDistinctCounts(tenant: String, set: MemberSet, from: Day, through: Day) throws -> [Day: Int] { [:] }
    func distinctCount(tenant: String, set: MemberSet, from: Day, through: Day) throws -> Int { 0 }
    func hourlyMessages(tenant: String, from: Day, through: Day) throws -> [Day: HourlyMessages] { [:] }
    func totalContacts(tenant: String, through day: Day) throws -> Int64 { 0 }
    func conversationUsage(tenant: String, conversations: [String], from: Day, through: Day) throws -> [String: ConversationUsage] { [:] }
    func sliceValues(tenant: String, _ dimension: RollupScope.Dimension, from: Day, through: Day) throws -> [String] { [] }
    func negativeRatings(tenant: String, from: Day, through: Day, limit: Int) throws -> [NegativeRating] { [] }
    func topConversations(tenant: String, clock: LocalClock, from: Day, through: Day, limit: Int) throws -> [TopConversation] { [] }
    func conversationMetrics(tenant: String, from: Day, through: Day) throws -> [Day: ConversationDayMetrics] {
        metrics.filter { $0.key >= from && $0.key <= through }
    }
}

@Suite("Conversation reports from per-day aggregates")
struct ConversationReportTests {
    static let end = Day(iso: "2026-03-02")!

    /// Day −1 (previous period of a 1-day window): one conversation with one user message.
    /// The end day: no user message, one, three and twelve; responses of 2 s and 10 s.
    fileprivate static let rollups: ConversationRollups = {
        func contribution(_ day: Day, _ depth: ConversationDepth, response: Int64?, duration: Int64?) -> ConversationState.Contribution {
            .init(day: day, depth: depth, firstResponseMillis: response, durationMillis: duration)
        }
        var previous = ConversationDayMetrics()
        previous.add(contribution(end.advanced(by: -1), .one, response: 4_000, duration: 4_000))
        var today = ConversationDayMetrics()
        today.add(contribution(end, .none, response: nil, duration: nil))
        today.add(contribution(end, .one, response: 2_000, duration: 2_000))
        today.add(contribution(end, .twoToThree, response: 10_000, duration: 60_000))
        today.add(contribution(end, .overTen, response: nil, duration: 600_000))
        return ConversationRollups(metrics: [end.advanced(by: -1): previous, end: today])
    }()

    static func report(_ id: String, days: Int = 1) throws -> ReportResult {
        try ReportCalculator().compute(try #require(ReportCatalog.report(id: id)), tenant: "t", window: ReportWindow(periodDays: days, end: end), from: rollups)
    }

    @Test("rates count conversations by their start day")
    func rates() throws {
        let engagement = try Self.report("tly7r2q9w000708jqg9engr1x")
        #expect(engagement.value == .hundredths(7500) && engagement.change == .hundredths(-2500))
        let abandonment = try Self.report("tly7r2q9w000808jqh0abnd2y", days: 2)
        #expect(abandonment.value == .hundredths(5000))
        #expect(abandonment.breakdown.map(\.total) == [.hundredths(10000), .hundredths(3333)])
        #expect(abandonment.percentiles == nil && abandonment.buckets == nil && abandonment.count == nil)
    }

    @Test("percentiles are nearest-rank, in seconds, with the count")
    func percentiles() throws {
        let response = try Self.report("tly7r2q9w000908jqi1frst3z", days: 2)
        #expect(response.count == 3)
        let p50 = try #require(response.percentiles?.p50).doubleValue
        let p99 = try #require(response.percentiles?.p99).doubleValue
        #expect(abs(p50 - 4) <= 0.05 && abs(p99 - 10) <= 0.11)
        #expect(response.value == response.percentiles?.p50)
        let duration = try Self.report("tly7r2q9w000a08jqj2cdur4a")
        #expect(duration.count == nil && abs(duration.value.doubleValue - 60) <= 0.61)
        #expect(abs(try #require(duration.percentiles?.p90).doubleValue - 600) <= 6.01)
    }

    @Test("depth buckets come in report order and add up to the conversations started")
    func depth() throws {
        let depth = try Self.report("tly7r2q9w000b08jqk3cdep5b", days: 2)
        #expect(depth.value == .count(5) && depth.change == .count(5))
        #expect(depth.buckets == [.init(bucket: "0", total: 1), .init(bucket: "1", total: 2), .init(bucket: "2-3", total: 1),
                                  .init(bucket: "4-10", total: 0), .init(bucket: ">10", total: 1)])
    }

    @Test("the new fields are encoded only on their reports")
    func encoding() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let depth = String(decoding: try encoder.encode(try Self.report("tly7r2q9w000b08jqk3cdep5b")), as: UTF8.self)
        #expect(depth.contains(#""buckets":[{"bucket":"0","total":1},{"bucket":"1","total":1}"#) && !depth.contains("percentiles"))
        let response = String(decoding: try encoder.encode(try Self.report("tly7r2q9w000908jqi1frst3z")), as: UTF8.self)
        #expect(response.contains(#""count":2"#) && response.contains(#""percentiles":{"p50":"#) && !response.contains("buckets"))
        let rate = String(decoding: try encoder.encode(try Self.report("tly7r2q9w000708jqg9engr1x")), as: UTF8.self)
        #expect(Set(try #require(try JSONSerialization.jsonObject(with: Data(rate.utf8)) as? [String: Any]).keys) == ["value", "change", "period", "breakdown"])
    }
}
