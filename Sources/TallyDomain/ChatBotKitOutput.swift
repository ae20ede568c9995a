/// A report's answer in ChatBotKit's output shape, rendered from the same `ReportResult` that
/// `/fetch` answers with: the figures are computed once and only their presentation differs.
///
/// ChatBotKit's output schemas forbid additional properties, so a field a shape does not carry is
/// left out entirely (nil is omitted when encoding), never sent as null.
public struct ChatBotKitOutput: Sendable, Equatable, Encodable {
    public var value: ReportNumber
    public var change: ReportNumber?
    public var period: String
    public var breakdown: [ReportResult.Entry]?

    public init(value: ReportNumber, change: ReportNumber? = nil, period: String, breakdown: [ReportResult.Entry]? = nil) {
        self.value = value
        self.change = change
        self.period = period
        self.breakdown = breakdown
    }

    /// `result` as `shape` presents it.
    public init(_ result: ReportResult, as shape: ChatBotKitShape) {
        switch shape {
        case .periodWithBreakdown:
            self.init(value: result.value, change: result.change, period: result.period, breakdown: result.breakdown)
        case .periodValue:
            self.init(value: result.value, period: result.period)
        case .allTime:
            self.init(value: result.value, period: ChatBotKitShape.allTimePeriod)
        }
    }
}
