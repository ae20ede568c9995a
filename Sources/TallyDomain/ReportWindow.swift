/// The days a report covers: `periodDays` whole days of the tenant's clock (`LocalClock`; UTC unless
/// the tenant set a time zone) ending on `endDate`, and the equally long
/// period just before it, which `change` compares against.
public struct ReportWindow: Sendable, Equatable {
    /// The allowed range of `periodDays`.
    public static let periodDaysRange = 1...365
    public static let defaultPeriodDays = 30
    /// The longest window any caller may build: the Reports API covers up to a leap year of
    /// explicit dates, while the fetch routes' `periodDays` stays within `periodDaysRange`.
    public static let longestPeriodDays = 366

    public let periodDays: Int
    /// The last day of the period, inclusive.
    public let end: Day

    public init(periodDays: Int, end: Day) {
        precondition((1...Self.longestPeriodDays).contains(periodDays), "periodDays out of range")
        self.periodDays = periodDays
        self.end = end
    }

    /// The first day of the period.
    public var start: Day { end.advanced(by: -(periodDays - 1)) }
    /// The days of the period, oldest first.
    public var days: [Day] { (0..<periodDays).map { start.advanced(by: $0) } }
    /// The last day of the previous period.
    public var previousEnd: Day { start.advanced(by: -1) }
    /// The first day of the previous period.
    public var previousStart: Day { start.advanced(by: -periodDays) }
    /// The previous period as a window of its own.
    public var previous: ReportWindow { ReportWindow(periodDays: periodDays, end: previousEnd) }
    /// The human-readable period label of the response.
    public var label: String { periodDays == 1 ? "last 1 day" : "last \(periodDays) days" }
}
