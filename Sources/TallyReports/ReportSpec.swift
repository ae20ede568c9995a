import TallyDomain

/// Everything a report document is built from besides the rollups: decided once, when the job is
/// accepted, so that running the job again (after a restart) builds the same report.
public struct ReportSpec: Sendable, Equatable {
    /// The longest period a report covers: a leap year.
    public static let maximumDays = 366

    public var type: ReportType
    public var title: String
    /// The sections, in order.
    public var sections: [SectionName]
    /// The tenant (`user_id`).
    public var tenant: String
    /// The slice the figures are restricted to, if any.
    public var slice: (dimension: RollupScope.Dimension, value: String)?
    /// First and last local day, inclusive.
    public var start: Day
    public var end: Day
    /// The zone the tenant's rollups are bucketed in, which the days are.
    public var timeZone: String
    /// The `limit` a request gave a section that lists rows (`SectionName.defaultLimit`); a
    /// section not listed here lists its default.
    public var sectionLimits: [SectionName: Int]

    public init(type: ReportType, title: String, sections: [SectionName], tenant: String,
                slice: (dimension: RollupScope.Dimension, value: String)? = nil, start: Day, end: Day, timeZone: String = "UTC",
                sectionLimits: [SectionName: Int] = [:]) {
        self.type = type
        self.title = title
        self.sections = sections
        self.tenant = tenant
        self.slice = slice
        self.start = start
        self.end = end
        self.timeZone = timeZone
        self.sectionLimits = sectionLimits
    }

    /// At most this many rows in `section`'s list: its request's `limit`, else its default.
    public func limit(of section: SectionName) -> Int {
        sectionLimits[section] ?? section.defaultLimit ?? SectionName.limitRange.upperBound
    }

    /// The number of days of the period.
    public var days: Int { Int(end.number - start.number) + 1 }

    /// The window the existing report calculators read: the period, and the one as long before it.
    public var window: ReportWindow { ReportWindow(periodDays: days, end: end) }

    /// The tenant's clock, whose local days the period is.
    public var clock: LocalClock { LocalClock(timeZoneIdentifier: timeZone) ?? .utc }

    /// The first instant of the period (ms since the epoch) and the first instant after it.
    public var startMillis: Int64 { clock.startMillis(of: start) }
    public var endMillis: Int64 { clock.startMillis(of: end.advanced(by: 1)) }

    /// The storage key the figures are read from: the tenant's, or its slice's.
    public var storageKey: String {
        guard let slice else { return tenant }
        return RollupScope.key(tenant: tenant, slice.dimension, slice.value)
    }

    public static func == (lhs: ReportSpec, rhs: ReportSpec) -> Bool {
        lhs.type == rhs.type && lhs.title == rhs.title && lhs.sections == rhs.sections && lhs.tenant == rhs.tenant
            && lhs.slice?.dimension == rhs.slice?.dimension && lhs.slice?.value == rhs.slice?.value && lhs.start == rhs.start
            && lhs.end == rhs.end && lhs.timeZone == rhs.timeZone && lhs.sectionLimits == rhs.sectionLimits
    }
}
