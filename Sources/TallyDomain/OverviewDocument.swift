/// The answer of Comprehensive Overview and Comprehensive Analytics: one item per figure, each
/// with its value against the previous period, a daily line chart and a list of its top bots,
/// with exactly the fields of ChatBotKit's output schema.
public struct OverviewDocument: Sendable, Equatable, Encodable {
    /// One figure of the period. `change` is its value minus the previous period's, as in every
    /// report; `details.metric` repeats the figure, as ChatBotKit's schema has it.
    public struct Item: Sendable, Equatable, Encodable {
        public var title: String
        public var description: String
        public var value: ReportNumber
        public var change: ReportNumber
        public var period: String
        public var details: Details
    }

    public struct Details: Sendable, Equatable, Encodable {
        public var metric: Metric
        public var chart: Chart
        public var list: [ListEntry]
    }

    public struct Metric: Sendable, Equatable, Encodable {
        public var title: String
        public var description: String
        public var value: ReportNumber
        public var change: ReportNumber
        public var period: String
    }

    /// Always a line chart of the figure per day of the period, oldest first.
    public struct Chart: Sendable, Equatable, Encodable {
        public var type = "line"
        public var data: [Point]
    }

    /// One day; `thumbsUp` and `thumbsDown` only on the ratings chart (absent elsewhere).
    public struct Point: Sendable, Equatable, Encodable {
        public var date: String
        public var total: ReportNumber
        public var thumbsUp: Int64?
        public var thumbsDown: Int64?
    }

    /// One bot of the figure's top bots: its id (also its name: events carry no names) and its
    /// figure in words, e.g. `12 conversations`.
    public struct ListEntry: Sendable, Equatable, Encodable {
        public var id: String
        public var name: String
        public var description: String
    }

    public var data: [Item]

    /// At most this many bots in an item's list.
    public static let listLimit = 10
}
