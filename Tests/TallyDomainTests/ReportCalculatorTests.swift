import Foundation
import Testing
import TallyDomain

/// Rollups computed the slow, obvious way straight from raw events, with sets and loops.
///
/// This stands in for the store as an independent oracle: if the calculator's arithmetic is right,
/// it gives the hand-computed answers over these naive readings; no SQLite or bitmaps involved.
private struct NaiveRollups: RollupReading {
    var events: [Event]

    private func events(of tenant: String, from: Day, through: Day) -> [Event] {
        events.filter { $0.userId == tenant && $0.day >= from && $0.day <= through }
    }

    /// The first day each contact of `tenant` appears on, over all time.
    private func firstSeen(tenant: String) -> [String: Day] {
        var first: [String: Day] = [:]
        for event in events where event.userId == tenant {
            guard let contact = event.contactId else { continue }
            if let seen = first[contact], seen <= event.day { continue }
            first[contact] = event.day
        }
        return first
    }

    /// Whether `event` puts a member into `set`, and which one.
    private func member(of set: MemberSet, in event: Event) -> String? {
        if set == .activeContacts { return event.contactId }
        guard case .messageCreated(let type) = event.kind else { return nil }
        switch set {
        case .conversationsWithMessages: return event.conversationId
        case .conversationsWithUserMessages: return type == .user ? event.conversationId : nil
        case .conversationsWithBotMessages: return type == .bot ? event.conversationId : nil
        case .conversationsWithActivityMessages: return type == .activity ? event.conversationId : nil
        case .activeContacts: return nil
        }
    }

    func sliceValues(tenant: String, _ dimension: RollupScope.Dimension, from: Day, through: Day) throws -> [String] {
        Array(Set(events(of: tenant, from: from, through: through).compactMap { dimension == .botId ? $0.botId : $0.channel }))
    }

    /// No catalog report ranks conversations; the Reports API's section is checked against the store.
    func topConversations(tenant: String, clock: LocalClock, from: Day, through: Day, limit: Int) throws -> [TopConversation] { [] }

    func negativeRatings(tenant: String, from: Day, through: Day, limit: Int) throws -> [NegativeRating] {
        Array(events(of: tenant, from: from, through: through).compactMap(NegativeRating.init)
            .sorted { ($1.occurredAtMillis, $0.id) < ($0.occurredAtMillis, $1.id) }.prefix(limit))
    }

    func counters(tenant: String, from: Day, through: Day) throws -> [Day: DailyCounters] {
        var result: [Day: DailyCounters] = [:]
        for event in events(of: tenant, from: from, through: through) {
            var c = result[event.day] ?? DailyCounters()
            switch event.kind {
            case .conversationCreated: c.conversations += 1
            case .messageCreated(let type):
                c.messages += 1
                c.messagesByType[MessageType.allCases.firstIndex(of: type)!] += 1
            case .ratingCreated(let value):
                c.ratings += 1
                if value > 0 { c.thumbsUp += 1 } else { c.thumbsDown += 1 }
            }
            result[event.day] = c
        }
        for (_, day) in firstSeen(tenant: tenant) where day >= from && day <= through {
            result[day, default: DailyCounters()].newContacts += 1
        }
        return result
    }

    func dailyDistinctCounts(tenant: String, set: MemberSet, from: Day, through: Day) throws -> [Day: Int] {
        var members: [Day: Set<String>] = [:]
        for event in events(of: tenant, from: from, through: through) {
            if let member = member(of: set, in: event) { members[event.day, default: []].insert(member) }
        }
        return members.mapValues(\.count)
    }

    func distinctCount(tenant: String, set: MemberSet, from: Day, through: Day) throws -> Int {
        Set(events(of: tenant, from: from, through: through).compactMap { member(of: set, in: $0) }).count
    }

    func conversationUsage(tenant: String, conversations: [String], from: Day, through: Day) throws -> [String: ConversationUsage] {
        var result: [String: ConversationUsage] = [:]
        for event in events(of: tenant, from: from, through: through) {
            guard let id = event.conversationId, conversations.contains(id) else { continue }
            guard case .messageCreated = event.kind else { continue }
            result[id, default: ConversationUsage()].messages += 1
            result[id, default: ConversationUsage()].tokens += Int64(event.tokens ?? 0)
        }
        return result
    }

    func totalContacts(tenant: String, through day: Day) throws -> Int64 {
        Int64(firstSeen(tenant: tenant).values.filter { $0 <= day }.count)
    }

    func hourlyMessages(tenant: String, from: Day, through: Day) throws -> [Day: HourlyMessages] {
        var result: [Day: HourlyMessages] = [:]
        for event in events(of: tenant, from: from, through: through) {
            guard case .messageCreated = event.kind else { continue }
            let hour = Int((event.occurredAtMillis - Int64(event.day.number) * 86_400_000) / 3_600_000)
            result[event.day, default: HourlyMessages()][hour] += 1
        }
        return result
    }

    /// Each conversation of `tenant` from all its events, by the definitions, at its start day.
    func conversationMetrics(tenant: String, from: Day, through: Day) throws -> [Day: ConversationDayMetrics] {
        var result: [Day: ConversationDayMetrics] = [:]
        let byConversation = Dictionary(grouping: events.filter { $0.userId == tenant && $0.conversationId != nil }, by: { $0.conversationId! })
        for (_, events) in byConversation {
            let created = events.filter { $0.kind == .conversationCreated }.map(\.occurredAtMillis).min()
            let start = Day(epochSeconds: (created ?? events.map(\.occurredAtMillis).min()!) / 1000)
            guard start >= from && start <= through else { continue }
            let users = events.filter { $0.kind == .messageCreated(.user) }.map(\.occurredAtMillis)
            let bots = events.filter { $0.kind == .messageCreated(.bot) }.map(\.occurredAtMillis)
            let messages = events.filter { if case .messageCreated = $0.kind { true } else { false } }.map(\.occurredAtMillis)
            let response = users.min().flatMap { user in bots.filter { $0 >= user }.min().map { $0 - user } }
            let duration = messages.isEmpty ? nil : messages.max()! - messages.min()!
            result[start, default: ConversationDayMetrics()].add(.init(day: start, depth: ConversationDepth(userMessages: Int64(users.count)),
                                                                       firstResponseMillis: response, durationMillis: duration))
        }
        return result
    }
}

/// An event at noon UTC of `date`, so the day under test is obvious from the call site.
private func event(_ kind: Event.Kind, _ date: String, tenant: String = "t1", conversation: String? = nil,
                   contact: String? = nil) -> Event {
    let day = Day(iso: date)!
    return Event(id: UUID().uuidString, kind: kind, userId: tenant, occurredAtMillis: Int64(day.number) * 86_400_000 + 43_200_000,
                 conversationId: conversation, contactId: contact)
}

/// Runs the named catalog report over the naive rollups, so each test states only what it expects.
private func report(_ name: String, _ events: [Event], periodDays: Int, end: String, tenant: String = "t1") throws -> ReportResult {
    let definition = try #require(ReportCatalog.all.first { $0.name == name }, "no report named \(name)")
    let window = ReportWindow(periodDays: periodDays, end: try #require(Day(iso: end)))
    return try ReportCalculator().compute(definition, tenant: tenant, window: window, from: NaiveRollups(events: events))
}

/// Breakdown totals as text ("3", "1.67"), comparing counts and ratios with one readable array.
private func totals(_ result: ReportResult) -> [String] { result.breakdown.map(\.total.description) }

private let ratingEvents = [
    event(.ratingCreated(value: -1), "2025-12-27"), // before the previous period
    event(.ratingCreated(value: 5), "2025-12-29"), event(.ratingCreated(value: -3), "2025-12-29"),
    event(.ratingCreated(value: 10), "2025-12-31"), event(.ratingCreated(value: 20), "2025-12-31"),
    event(.ratingCreated(value: -1), "2025-12-31"),
    event(.ratingCreated(value: 1), "2026-01-02"),
    event(.ratingCreated(value: 50), "2026-01-01", tenant: "t2"), // another tenant
    event(.ratingCreated(value: 1), "2026-01-03"), // after the period
]

private let contactEvents = [
    event(.conversationCreated, "2026-02-20", conversation: "c0", contact: "a"),
    event(.conversationCreated, "2026-02-27", conversation: "c1", contact: "b"),
    event(.messageCreated(.user), "2026-02-27", conversation: "c1", contact: "a"),
    event(.messageCreated(.user), "2026-03-01", conversation: "c2", contact: "a"),
    event(.conversationCreated, "2026-03-01", conversation: "c3", contact: "c"),
    event(.messageCreated(.bot), "2026-03-02", conversation: "c3", contact: "c"),
    event(.ratingCreated(value: 9), "2026-03-02", contact: "c"),
    event(.messageCreated(.bot), "2026-03-02", conversation: "c4"),
    event(.conversationCreated, "2026-03-03", conversation: "c5", contact: "d"),
    event(.messageCreated(.user), "2026-03-03", conversation: "c1", contact: "b"),
    event(.conversationCreated, "2026-03-01", tenant: "t2", conversation: "c9", contact: "z"),
]

/// Current period 2026-03-01...03-02: 5 messages in 3 conversations, then 2 in 2; previous period:
/// 9 user messages in 8 conversations (1.125, which must round up to 1.13).
private let messageEvents: [Event] = [
    event(.conversationCreated, "2026-03-01", conversation: "c1"), event(.conversationCreated, "2026-03-01", conversation: "c2"),
    event(.messageCreated(.user), "2026-03-01", conversation: "c1"), event(.messageCreated(.bot), "2026-03-01", conversation: "c1"),
    event(.messageCreated(.user), "2026-03-01", conversation: "c2"),
    event(.messageCreated(.activity), "2026-03-01", conversation: "c3"), event(.messageCreated(.bot), "2026-03-01", conversation: "c3"),
    event(.messageCreated(.user), "2026-03-02", conversation: "c1"),
    event(.messageCreated(.reasoning), "2026-03-02", conversation: "c4"),
    event(.messageCreated(.user), "2026-02-28", conversation: "p0"),
] + (0..<8).map { event(.messageCreated(.user), "2026-02-28", conversation: "p\($0)") }

@Suite("ReportCalculator")
struct ReportCalculatorTests {
    @Test("counter reports sum the period, compare with the previous one and zero-fill the breakdown")
    func ratingCounters() throws {
        let total = try report("Total Ratings Report", ratingEvents, periodDays: 3, end: "2026-01-02")
        #expect(total.value == .count(4))
        #expect(total.change == .count(2))
        #expect(total.period == "last 3 days")
        #expect(total.breakdown.map(\.date) == ["2025-12-31", "2026-01-01", "2026-01-02"])
        #expect(totals(total) == ["3", "0", "1"])

        let up = try report("Thumbs Up Report", ratingEvents, periodDays: 3, end: "2026-01-02")
        #expect(up.value == .count(3))
        #expect(up.change == .count(2))
        #expect(totals(up) == ["2", "0", "1"])

        let down = try report("Thumbs Down Report", ratingEvents, periodDays: 3, end: "2026-01-02")
        #expect(down.value == .count(1))
        #expect(down.change == .count(0))
        #expect(totals(down) == ["1", "0", "0"])
    }

    @Test("ratios round half away from zero, negative ones too")
    func ratioRounding() {
        // Hand-computed: 1/3 = 0.333…, 2/3 = 0.666…, 1/200 = 0.005 (a half), 1/201 < 0.005.
        #expect(ReportNumber.ratio(1, 3) == .hundredths(33))
        #expect(ReportNumber.ratio(-1, 3) == .hundredths(-33))
        #expect(ReportNumber.ratio(2, 3) == .hundredths(67))
        #expect(ReportNumber.ratio(-2, 3) == .hundredths(-67))
        #expect(ReportNumber.ratio(1, 200) == .hundredths(1))
        #expect(ReportNumber.ratio(-1, 200) == .hundredths(-1))
        #expect(ReportNumber.ratio(-1, 201) == .hundredths(0))
        #expect(ReportNumber.percentage(-1, 3) == .hundredths(-3333))
        #expect(ReportNumber.ratio(-5, 0) == .hundredths(0))
    }

    @Test("a counter that fell shows a negative change")
    func negativeChange() throws {
        let messages = try report("Total Messages Report", messageEvents, periodDays: 2, end: "2026-03-02")
        #expect(messages.value == .count(7))
        #expect(messages.change == .count(-2))
        #expect(totals(messages) == ["5", "2"])

        let user = try report("User Messages Report", messageEvents, periodDays: 2, end: "2026-03-02")
        #expect(user.value == .count(3))
        #expect(user.change == .count(-6))

        let bot = try report("Bot Messages Report", messageEvents, periodDays: 2, end: "2026-03-02")
        #expect((bot.value, bot.change) == (.count(2), .count(2)))
        let activity = try report("Activity Messages Report", messageEvents, periodDays: 2, end: "2026-03-02")
        #expect((activity.value, activity.change) == (.count(1), .count(1)))
        let conversations = try report("Total Conversations Report", messageEvents, periodDays: 2, end: "2026-03-02")
        #expect((conversations.value, conversations.change) == (.count(2), .count(2)))
        #expect(totals(conversations) == ["2", "0"])
    }

    @Test("total contacts is a running snapshot, and change is against the previous period's end")
    func totalContacts() throws {
        let result = try report("Total Contacts Report", contactEvents, periodDays: 3, end: "2026-03-03")
        // a and b were seen before 03-01; c is new on 03-01, d on 03-03; returning contacts add nothing.
        #expect(result.value == .count(4))
        #expect(result.change == .count(2))
        #expect(totals(result) == ["3", "3", "4"])
        #expect(result.breakdown.last?.total == result.value)
    }

    @Test("total contacts counts a contact only from its earliest day")
    func totalContactsEarliestDay() throws {
        let late = [event(.conversationCreated, "2026-03-03", contact: "x"), event(.conversationCreated, "2026-03-01", contact: "x")]
        let result = try report("Total Contacts Report", late, periodDays: 3, end: "2026-03-03")
        #expect(totals(result) == ["1", "1", "1"])
        #expect(result.change == .count(1))
    }

    @Test("active contacts are distinct across the period, so days do not sum to the value")
    func activeContacts() throws {
        let result = try report("Active Contacts Report", contactEvents, periodDays: 3, end: "2026-03-03")
        #expect(result.value == .count(4))  // a, c, d, b
        #expect(result.change == .count(2)) // previous period: a, b
        #expect(totals(result) == ["2", "1", "2"])
        let summed = result.breakdown.reduce(0) { $0 + $1.total.doubleValue }
        #expect(summed == 5)
    }

    @Test("averages divide messages by distinct conversations, rounded to 2 decimals")
    func averages() throws {
        let all = try report("Average Messages per Conversation", messageEvents, periodDays: 2, end: "2026-03-02")
        #expect(all.value == .hundredths(175))  // 7 messages / 4 conversations
        #expect(all.change == .hundredths(62))  // 1.75 - 1.13
        #expect(totals(all) == ["1.67", "1.00"]) // 5 / 3 rounds to 1.67; 2 / 2

        let user = try report("Average User Messages per Conversation", messageEvents, periodDays: 2, end: "2026-03-02")
        #expect(user.value == .hundredths(150))  // 3 / 2
        #expect(user.change == .hundredths(37))  // previous 9 / 8 = 1.125 rounds up to 1.13
        #expect(totals(user) == ["1.00", "1.00"])

        let bot = try report("Average Bot Messages per Conversation", messageEvents, periodDays: 2, end: "2026-03-02")
        #expect(bot.value == .hundredths(100))
        #expect(bot.change == .hundredths(100)) // no bot messages before: 0, not a division by zero
        #expect(totals(bot) == ["1.00", "0.00"])

        let action = try report("Average Action Messages per Conversation", messageEvents, periodDays: 2, end: "2026-03-02")
        #expect(action.value == .hundredths(100))
        #expect(totals(action) == ["1.00", "0.00"])
    }

    @Test("a tenant with no events gets zeros everywhere, one entry per day", arguments: ReportCatalog.all.map(\.name))
    func emptyTenant(name: String) throws {
        let result = try report(name, messageEvents + contactEvents, periodDays: 5, end: "2026-03-02", tenant: "nobody")
        #expect(result.value.doubleValue == 0)
        #expect(result.change.doubleValue == 0)
        #expect(result.breakdown.count == 5)
        #expect(result.breakdown.map(\.date) == ["2026-02-26", "2026-02-27", "2026-02-28", "2026-03-01", "2026-03-02"])
        #expect(result.breakdown.allSatisfy { $0.total.doubleValue == 0 })
    }

    @Test("hourly activity is Total Messages plus a Monday-first weekday × UTC hour matrix of the period")
    func hourlyActivity() throws {
        // 2026-03-02 is a Monday, 2026-03-01 a Sunday.
        func at(_ date: String, _ millisOfDay: Int64, _ kind: Event.Kind = .messageCreated(.user)) -> Event {
            Event(id: UUID().uuidString, kind: kind, userId: "t1",
                  occurredAtMillis: Int64(Day(iso: date)!.number) * 86_400_000 + millisOfDay, conversationId: "c")
        }
        let events = [
            at("2026-03-02", 0), at("2026-03-02", 3_599_999), at("2026-03-02", 86_399_999, .messageCreated(.bot)),
            at("2026-03-01", 13 * 3_600_000 + 1, .messageCreated(.reasoning)),
            at("2026-03-01", 13 * 3_600_000, .conversationCreated), at("2026-03-01", 5, .ratingCreated(value: 1)),
            at("2026-02-28", 7 * 3_600_000), // previous period
        ]
        let result = try report("Hourly Activity Report", events, periodDays: 2, end: "2026-03-02")
        let messages = try report("Total Messages Report", events, periodDays: 2, end: "2026-03-02")
        #expect((result.value, result.change, result.period, result.breakdown) == (messages.value, messages.change, messages.period, messages.breakdown))
        #expect(result.value == .count(4))
        var expected = Array(repeating: Array(repeating: Int64(0), count: 24), count: 7)
        expected[0][0] = 2
        expected[0][23] = 1
        expected[6][13] = 1
        #expect(result.heatmap == expected)
        #expect(messages.heatmap == nil)
    }

    @Test("a heatmap is encoded only for the report that has one")
    func heatmapEncoding() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let plain = ReportResult(value: .count(1), change: .count(0), period: "last 1 day", breakdown: [.init(date: "2026-03-02", total: .count(1))])
        #expect(String(decoding: try encoder.encode(plain), as: UTF8.self)
            == #"{"breakdown":[{"date":"2026-03-02","total":1}],"change":0,"period":"last 1 day","value":1}"#)
        var withMap = plain
        withMap.heatmap = [[1, 2], [3]]
        #expect(String(decoding: try encoder.encode(withMap), as: UTF8.self).contains(#""heatmap":[[1,2],[3]]"#))
    }

    @Test("ratios round half away from zero to hundredths", arguments: [
        (Int64(5), Int64(3), "1.67"), (1, 8, "0.13"), (1, 3, "0.33"), (2, 3, "0.67"), (1, 200, "0.01"),
        (1, 201, "0.00"), (0, 0, "0.00"), (7, 0, "0.00"), (9, 8, "1.13"), (10, 4, "2.50"), (0, 5, "0.00"),
    ])
    func ratioRounding(numerator: Int64, denominator: Int64, expected: String) {
        #expect(ReportNumber.ratio(numerator, denominator).description == expected)
    }

    @Test("report numbers encode as JSON numbers and subtract across units")
    func numberEncoding() throws {
        let encoder = JSONEncoder()
        let text = { (n: ReportNumber) in String(decoding: try encoder.encode([n]), as: UTF8.self) }
        #expect(try text(.count(42)) == "[42]")
        #expect(try text(.hundredths(167)) == "[1.67]")
        #expect(try text(.hundredths(-50)) == "[-0.5]")
        #expect(ReportNumber.hundredths(-50).description == "-0.50")
        #expect(ReportNumber.hundredths(105).description == "1.05")
        #expect(ReportNumber.count(3).minus(.hundredths(150)) == .hundredths(150))
        #expect(ReportNumber.hundredths(100).minus(.count(3)) == .hundredths(-200))
    }
}
