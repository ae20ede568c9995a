import Foundation
import TallyDomain

/// Computes every report of the catalog directly from raw events, with sets and loops.
///
/// It shares nothing with the production path but the `Event` type: no deltas, no bitmaps, no
/// store, no `ReportCalculator`. Tests compare Tally's answers with it.
public struct ReportOracle {
    /// One expected report, in plain numbers.
    public struct Expected: Equatable, CustomStringConvertible {
        public var value: Double
        public var change: Double
        public var period: String
        public var breakdown: [Breakdown]
        /// Hourly Activity's weekday (Monday first) × hour matrix; nil for every other report, and
        /// compared like the rest, so a report that grows or loses one fails the comparison.
        public var heatmap: [[Int]]?
        /// First Response Time's and Conversation Duration's percentiles in seconds, by name ("p50").
        public var percentiles: [String: Double]?
        /// First Response Time's number of conversations with a response.
        public var count: Int?
        /// Conversation Depth's buckets, in report order.
        public var buckets: [Bucket]?
        /// For an expectation of estimated percentiles, the relative error Tally documents for
        /// them (its figures are compared within it, see `agrees(with:)`); nil for exact figures.
        public var relativeError: Double?
        /// The previous period's exact figure: with `value` it bounds the error of `change`.
        public var previousValue: Double?

        public init(value: Double, change: Double, period: String, breakdown: [Breakdown], heatmap: [[Int]]? = nil,
                    percentiles: [String: Double]? = nil, count: Int? = nil, buckets: [Bucket]? = nil) {
            self.value = value
            self.change = change
            self.period = period
            self.breakdown = breakdown
            self.heatmap = heatmap
            self.percentiles = percentiles
            self.count = count
            self.buckets = buckets
        }

        public var description: String {
            "value \(value), change \(change), \(period), \(breakdown.map { "\($0.date)=\($0.total)" })"
                + (heatmap.map { ", heatmap \($0)" } ?? "")
                + (percentiles.map { ", percentiles \($0.sorted { $0.key < $1.key })" } ?? "")
                + (count.map { ", count \($0)" } ?? "")
                + (buckets.map { ", buckets \($0.map { "\($0.bucket)=\($0.total)" })" } ?? "")
        }

        /// Whether `self` (Tally's answer) is this expectation: equal, or for estimated percentiles
        /// within the documented relative error of each exact figure plus 0.01 s for rounding both
        /// to 2 decimals (a change, the difference of two estimates, within the sum of both errors).
        public func agrees(with expected: Expected) -> Bool {
            guard let bound = expected.relativeError else { return self == expected }
            func close(_ actual: Double, _ exact: Double) -> Bool { abs(actual - exact) <= bound * abs(exact) + 0.01 + 1e-9 }
            let changeBound = bound * (abs(expected.value) + abs(expected.previousValue ?? 0)) + 0.02 + 1e-9
            guard period == expected.period, heatmap == expected.heatmap, count == expected.count, buckets == expected.buckets,
                  close(value, expected.value), abs(change - expected.change) <= changeBound,
                  breakdown.map(\.date) == expected.breakdown.map(\.date),
                  zip(breakdown, expected.breakdown).allSatisfy({ close($0.total, $1.total) }) else { return false }
            guard let percentiles, let exact = expected.percentiles else { return self.percentiles == expected.percentiles }
            return Set(percentiles.keys) == Set(exact.keys) && exact.allSatisfy { close(percentiles[$0.key]!, $0.value) }
        }
    }

    /// One depth bucket of an expected Conversation Depth report.
    public struct Bucket: Equatable {
        public var bucket: String
        public var total: Int

        public init(bucket: String, total: Int) {
            self.bucket = bucket
            self.total = total
        }
    }

    /// One day of an expected breakdown.
    public struct Breakdown: Equatable {
        public var date: String
        public var total: Double

        public init(date: String, total: Double) {
            self.date = date
            self.total = total
        }
    }

    let byTenant: [String: [Event]]
    /// Each tenant's IANA time zone; a tenant not listed is in UTC.
    let timeZones: [String: TimeZone]
    /// Each event's local day and hour in its tenant's zone, by (tenant, instant), worked out once
    /// with Foundation's calendar (never with Tally's clocks).
    let local: [String: [Int64: (day: Day, weekday: Int, hour: Int)]]

    /// - Parameters:
    ///   - events: the valid events Tally should have counted, each once.
    ///   - timeZones: tenants' zones by `userId`; others are in UTC.
    public init(events: [Event], timeZones: [String: TimeZone] = [:]) {
        byTenant = Dictionary(grouping: events, by: \.userId)
        self.timeZones = timeZones
        var local: [String: [Int64: (day: Day, weekday: Int, hour: Int)]] = [:]
        for (tenant, events) in byTenant {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = timeZones[tenant] ?? TimeZone(identifier: "UTC")!
            var map: [Int64: (day: Day, weekday: Int, hour: Int)] = [:]
            for e in events where map[e.occurredAtMillis] == nil {
                let seconds = e.occurredAtMillis >= 0 ? e.occurredAtMillis / 1000 : (e.occurredAtMillis - 999) / 1000
                let parts = calendar.dateComponents([.year, .month, .day, .weekday, .hour], from: Date(timeIntervalSince1970: TimeInterval(seconds)))
                // `weekday` is 1 for Sunday whatever `firstWeekday` says, so Monday-first is (weekday + 5) % 7.
                map[e.occurredAtMillis] = (Day(year: parts.year!, month: parts.month!, day: parts.day!)!, (parts.weekday! + 5) % 7, parts.hour!)
            }
            local[tenant] = map
        }
        self.local = local
    }

    /// The local day of `event` in its tenant's zone.
    func day(_ event: Event) -> Day { local[event.userId]![event.occurredAtMillis]!.day }

    /// The expected answer for `reportId`, or nil for an id the oracle does not know.
    public func expected(reportId: String, tenant: String, periodDays: Int, end: Day) -> Expected? {
        let events = byTenant[tenant] ?? []
        let start = end.advanced(by: -(periodDays - 1))
        let previousEnd = start.advanced(by: -1)
        let previousStart = start.advanced(by: -periodDays)
        let days = (0..<periodDays).map { start.advanced(by: $0) }
        let label = "last \(periodDays) day\(periodDays == 1 ? "" : "s")"
        let localDays = local[tenant] ?? [:]
        func dayOf(_ e: Event) -> Day { localDays[e.occurredAtMillis]!.day }

        func inRange(_ e: Event, _ from: Day, _ to: Day) -> Bool { let d = dayOf(e); return d >= from && d <= to }
        func isMessage(_ e: Event, _ type: MessageType?) -> Bool {
            if case .messageCreated(let t) = e.kind { return type == nil || t == type }
            return false
        }
        func count(_ from: Day, _ to: Day, _ predicate: (Event) -> Bool) -> Double {
            Double(events.filter { inRange($0, from, to) && predicate($0) }.count)
        }
        func summed(_ predicate: @escaping (Event) -> Bool) -> Expected {
            let value = count(start, end, predicate)
            return Expected(value: value, change: value - count(previousStart, previousEnd, predicate), period: label,
                            breakdown: days.map { Breakdown(date: $0.iso, total: count($0, $0, predicate)) })
        }
        func activeContacts(_ from: Day, _ to: Day) -> Double {
            Double(Set(events.filter { inRange($0, from, to) }.compactMap(\.contactId)).count)
        }
        func contactsEverThrough(_ day: Day) -> Double {
            Double(Set(events.filter { dayOf($0) <= day }.compactMap(\.contactId)).count)
        }
        func average(_ type: MessageType?, _ from: Day, _ to: Day) -> Double {
            let messages = events.filter { inRange($0, from, to) && isMessage($0, type) }
            let conversations = Set(messages.compactMap(\.conversationId)).count
            guard conversations > 0 else { return 0 }
            return (Double(messages.count * 100) / Double(conversations)).rounded() / 100
        }
        func hundredths(_ numerator: Int, _ denominator: Int) -> Double {
            guard denominator > 0 else { return 0 }
            return (Double(numerator * 100) / Double(denominator)).rounded() / 100
        }
        /// Builds an expected report from a figure over any range of days; `change` is the
        /// difference of the rounded figures, as Tally defines it.
        func figure(_ value: (Day, Day) -> Double) -> Expected {
            let current = value(start, end)
            return Expected(value: current, change: ((current - value(previousStart, previousEnd)) * 100).rounded() / 100, period: label,
                            breakdown: days.map { Breakdown(date: $0.iso, total: value($0, $0)) })
        }
        func thumbsUpRate(_ from: Day, _ to: Day) -> Double {
            let ratings = events.filter { inRange($0, from, to) }.compactMap { e -> Int? in if case .ratingCreated(let v) = e.kind { v } else { nil } }
            return hundredths(ratings.filter { $0 > 0 }.count * 100, ratings.count)
        }
        /// Each contact's first day with any event, over all of the tenant's events.
        let firstDays: [String: Day] = events.reduce(into: [:]) { first, e in
            guard let contact = e.contactId else { return }
            if let seen = first[contact], seen <= dayOf(e) { return }
            first[contact] = dayOf(e)
        }
        func newContacts(_ from: Day, _ to: Day) -> Double {
            Double(firstDays.values.filter { $0 >= from && $0 <= to }.count)
        }
        func tokens(_ from: Day, _ to: Day) -> Int {
            events.filter { inRange($0, from, to) && isMessage($0, nil) }.reduce(0) { $0 + ($1.tokens ?? 0) }
        }
        func tokensPerConversation(_ from: Day, _ to: Day) -> Double {
            let conversations = Set(events.filter { inRange($0, from, to) && isMessage($0, nil) }.compactMap(\.conversationId)).count
            return hundredths(tokens(from, to), conversations)
        }
        func averaged(_ type: MessageType?) -> Expected {
            let value = average(type, start, end)
            let change = ((value - average(type, previousStart, previousEnd)) * 100).rounded() / 100
            return Expected(value: value, change: change, period: label,
                            breakdown: days.map { Breakdown(date: $0.iso, total: average(type, $0, $0)) })
        }

        /// Messages of the period per local weekday (0 = Monday) and local hour, by Foundation's
        /// calendar in the tenant's zone.
        func heatmap() -> [[Int]] {
            var matrix = Array(repeating: Array(repeating: 0, count: 24), count: 7)
            for e in events where inRange(e, start, end) && isMessage(e, nil) {
                let parts = localDays[e.occurredAtMillis]!
                matrix[parts.weekday][parts.hour] += 1
            }
            return matrix
        }

        // Conversations: every event carrying a conversation id, grouped by it. A conversation
        // counts on the day of its earliest conversation.created, else of its earliest event.
        let conversations = Dictionary(grouping: events.filter { $0.conversationId != nil }, by: { $0.conversationId! })
        struct Conversation {
            var start: Day
            var userMessages: Int
            var firstResponseMillis: Int64?
            var durationMillis: Int64?
        }
        let folded: [Conversation] = conversations.values.map { events in
            let created = events.filter { $0.kind == .conversationCreated }.min { $0.occurredAtMillis < $1.occurredAtMillis }
            let start = dayOf(created ?? events.min { $0.occurredAtMillis < $1.occurredAtMillis }!)
            let userTimes = events.filter { isMessage($0, .user) }.map(\.occurredAtMillis).sorted()
            let botTimes = events.filter { isMessage($0, .bot) }.map(\.occurredAtMillis).sorted()
            let messageTimes = events.filter { isMessage($0, nil) }.map(\.occurredAtMillis).sorted()
            var response: Int64?
            if let firstUser = userTimes.first, let answer = botTimes.first(where: { $0 >= firstUser }) { response = answer - firstUser }
            return Conversation(start: start, userMessages: userTimes.count, firstResponseMillis: response,
                                durationMillis: messageTimes.last.map { $0 - messageTimes.first! })
        }
        func started(_ from: Day, _ to: Day) -> [Conversation] { folded.filter { $0.start >= from && $0.start <= to } }
        func engagement(_ from: Day, _ to: Day) -> Double {
            let all = started(from, to)
            return hundredths(all.filter { $0.userMessages > 0 }.count * 100, all.count)
        }
        func abandonment(_ from: Day, _ to: Day) -> Double {
            let engaged = started(from, to).filter { $0.userMessages > 0 }
            return hundredths(engaged.filter { $0.userMessages == 1 }.count * 100, engaged.count)
        }
        /// The exact nearest-rank percentile (the smallest v with at least p % of values ≤ v) in
        /// seconds, rounded to 2 decimals; 0 without values.
        func percentile(_ values: [Int64], _ p: Int) -> Double {
            guard !values.isEmpty else { return 0 }
            let sorted = values.sorted()
            let rank = Int((Double(p * sorted.count) / 100).rounded(.up))
            return (Double(sorted[max(rank, 1) - 1]) / 10).rounded() / 100
        }
        func percentiles(_ value: @escaping (Conversation) -> Int64?, count: Bool) -> Expected {
            func values(_ from: Day, _ to: Day) -> [Int64] { started(from, to).compactMap(value) }
            var expected = figure { percentile(values($0, $1), 50) }
            let current = values(start, end)
            expected.percentiles = ["p50": percentile(current, 50), "p90": percentile(current, 90), "p99": percentile(current, 99)]
            expected.count = count ? current.count : nil
            expected.relativeError = 0.01
            expected.previousValue = percentile(values(previousStart, previousEnd), 50)
            return expected
        }
        func depth() -> Expected {
            var expected = figure { Double(started($0, $1).count) }
            let current = started(start, end)
            let ranges: [(String, ClosedRange<Int>)] = [("0", 0...0), ("1", 1...1), ("2-3", 2...3), ("4-10", 4...10), (">10", 11...Int.max)]
            expected.buckets = ranges.map { name, range in Bucket(bucket: name, total: current.filter { range.contains($0.userMessages) }.count) }
            return expected
        }

        switch reportId {
        case "clr3m5n8k000008jq7h9e5b1a": return summed { if case .ratingCreated = $0.kind { true } else { false } }
        case "clr3m5n8k000108jq3c4d7f2b": return summed { if case .ratingCreated(let v) = $0.kind { v > 0 } else { false } }
        case "clr3m5n8k000208jq8e5f6g3c": return summed { if case .ratingCreated(let v) = $0.kind { v < 0 } else { false } }
        case "clr3m5n8k000308jq1h7i8j4d":
            let value = contactsEverThrough(end)
            return Expected(value: value, change: value - contactsEverThrough(previousEnd), period: label,
                            breakdown: days.map { Breakdown(date: $0.iso, total: contactsEverThrough($0)) })
        case "clr3m5n8k000408jq9i8j9k5e":
            let value = activeContacts(start, end)
            return Expected(value: value, change: value - activeContacts(previousStart, previousEnd), period: label,
                            breakdown: days.map { Breakdown(date: $0.iso, total: activeContacts($0, $0)) })
        case "clr3m5n8k000508jq2j9k0l6f": return summed { $0.kind == .conversationCreated }
        case "clr3m5n8k000608jq3k0l1m7g": return summed { isMessage($0, nil) }
        case "clr3m5n8k000708jq4l1m2n8h": return summed { isMessage($0, .user) }
        case "clr3m5n8k000808jq5m2n3o9i": return summed { isMessage($0, .bot) }
        case "clr3m5n8k000908jq6n3o4p0j": return summed { isMessage($0, .activity) }
        case "clr3m5n8k000a08jq7o4p5q1k": return averaged(.user)
        case "clr3m5n8k000b08jq8p5q6r2l": return averaged(.bot)
        case "clr3m5n8k000c08jq9q6r7s3m": return averaged(.activity)
        case "clr3m5n8k000d08jqt4l7y2c9": return averaged(nil)
        case "tly7r2q9w000108jqa3thup5r": return figure(thumbsUpRate)
        case "tly7r2q9w000208jqb4nwct6s": return figure(newContacts)
        case "tly7r2q9w000308jqc5rtct7t": return figure { activeContacts($0, $1) - newContacts($0, $1) }
        case "tly7r2q9w000408jqd6tktl8u": return figure { Double(tokens($0, $1)) }
        case "tly7r2q9w000508jqe7tkcv9v": return figure(tokensPerConversation)
        case "tly7r2q9w000608jqf8hrac0w":
            var expected = summed { isMessage($0, nil) }
            expected.heatmap = heatmap()
            return expected
        case "tly7r2q9w000708jqg9engr1x": return figure(engagement)
        case "tly7r2q9w000808jqh0abnd2y": return figure(abandonment)
        case "tly7r2q9w000908jqi1frst3z": return percentiles(\.firstResponseMillis, count: true)
        case "tly7r2q9w000a08jqj2cdur4a": return percentiles(\.durationMillis, count: false)
        case "tly7r2q9w000b08jqk3cdep5b": return depth()
        default: return nil
        }
    }
}

extension ReportOracle.Expected {
    /// Converts a computed report into the oracle's plain-number form for comparison.
    public init(_ result: ReportResult) {
        self.init(value: result.value.doubleValue, change: result.change.doubleValue, period: result.period,
                  breakdown: result.breakdown.map { ReportOracle.Breakdown(date: $0.date, total: $0.total.doubleValue) },
                  heatmap: result.heatmap.map { $0.map { $0.map { Int($0) } } },
                  percentiles: result.percentiles.map { ["p50": $0.p50.doubleValue, "p90": $0.p90.doubleValue, "p99": $0.p99.doubleValue] },
                  count: result.count.map { Int($0) },
                  buckets: result.buckets?.map { ReportOracle.Bucket(bucket: $0.bucket, total: Int($0.total)) })
    }
}

extension Array where Element == ReportOracle.Expected {
    /// Whether these answers agree one by one with `expected` (see `Expected.agrees(with:)`).
    public func agree(with expected: [ReportOracle.Expected]) -> Bool {
        count == expected.count && zip(self, expected).allSatisfy { $0.agrees(with: $1) }
    }
}
