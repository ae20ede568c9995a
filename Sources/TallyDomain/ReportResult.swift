/// A computed report, shaped as the fetch endpoint returns it.
public struct ReportResult: Sendable, Equatable, Encodable {
    /// One day of the breakdown.
    public struct Entry: Sendable, Equatable, Encodable {
        /// `YYYY-MM-DD`.
        public var date: String
        public var total: ReportNumber
        public init(date: String, total: ReportNumber) { self.date = date; self.total = total }
    }

    public var value: ReportNumber
    public var change: ReportNumber
    public var period: String
    public var breakdown: [Entry]
    /// Hourly Activity's messages per weekday (0 = Monday … 6 = Sunday) × hour (0–23). Nil for every
    /// other report, and the synthesized encoding skips a nil optional, so their responses keep
    /// exactly the shape they had.
    public var heatmap: [[Int64]]?
    /// With `groupBy`, the report's figure per bot or channel seen in either period, largest
    /// value first; `value` and `breakdown` stay the tenant's. Nil (and so absent) otherwise.
    public var groups: [Group]?

    /// One bot's or channel's figure, as the report computes it for that slice alone.
    public struct Group: Sendable, Equatable, Encodable {
        public var key: String
        public var value: ReportNumber
        public var change: ReportNumber
        public init(key: String, value: ReportNumber, change: ReportNumber) { self.key = key; self.value = value; self.change = change }
    }
    /// The period's percentiles (First Response Time, Conversation Duration); nil elsewhere.
    public var percentiles: Percentiles?
    /// The conversations the percentiles are over (First Response Time); nil elsewhere.
    public var count: Int64?
    /// Conversations started in the period per depth bucket, in `ConversationDepth` order
    /// (Conversation Depth); nil elsewhere.
    public var buckets: [Bucket]?
    /// The zone whose days the answer counts, for a tenant outside UTC (or one whose change of
    /// zone has not switched in yet); nil, and so absent, for a tenant in UTC.
    public var timeZone: String?
    /// The zone the tenant asked for while its re-bucketing runs: the answer is still in `timeZone`.
    public var pendingTimeZone: String?

    public init(value: ReportNumber, change: ReportNumber, period: String, breakdown: [Entry], heatmap: [[Int64]]? = nil,
                percentiles: Percentiles? = nil, count: Int64? = nil, buckets: [Bucket]? = nil) {
        self.value = value
        self.change = change
        self.period = period
        self.breakdown = breakdown
        self.heatmap = heatmap
        self.percentiles = percentiles
        self.count = count
        self.buckets = buckets
    }

    /// Nearest-rank percentiles in seconds, 2 decimals (see `LogHistogram.percentile`).
    public struct Percentiles: Sendable, Equatable, Encodable {
        public var p50: ReportNumber
        public var p90: ReportNumber
        public var p99: ReportNumber
        public init(p50: ReportNumber, p90: ReportNumber, p99: ReportNumber) { self.p50 = p50; self.p90 = p90; self.p99 = p99 }
    }

    /// One depth bucket: its name (`0`, `1`, `2-3`, `4-10`, `>10`) and its conversations.
    public struct Bucket: Sendable, Equatable, Encodable {
        public var bucket: String
        public var total: Int64
        public init(bucket: String, total: Int64) { self.bucket = bucket; self.total = total }
    }
}

/// A report figure: a count, or a ratio held exactly in hundredths.
///
/// Averages are computed with integer arithmetic and rounded half away from zero to two decimals,
/// so the same inputs always give the same digits on every platform.
public enum ReportNumber: Sendable, Equatable, Encodable, CustomStringConvertible {
    case count(Int64)
    case hundredths(Int64)

    /// The ratio `numerator ÷ denominator` rounded to hundredths; 0 when the denominator is 0.
    public static func ratio(_ numerator: Int64, _ denominator: Int64) -> ReportNumber {
        guard denominator > 0 else { return .hundredths(0) }
        // Integer division truncates toward zero, so the half is added to the magnitude and the
        // sign put back: −1/3 is −0.33, as 1/3 is 0.33.
        let magnitude = (200 * numerator.magnitude + UInt64(denominator)) / (2 * UInt64(denominator))
        return .hundredths(numerator < 0 ? -Int64(magnitude) : Int64(magnitude))
    }

    /// `numerator ÷ denominator` as a percentage rounded to hundredths; 0 when the denominator is 0.
    public static func percentage(_ numerator: Int64, _ denominator: Int64) -> ReportNumber {
        ratio(100 * numerator, denominator)
    }

    /// A duration in milliseconds as seconds rounded half away from zero to hundredths.
    public static func seconds(millis: Double) -> ReportNumber {
        .hundredths(Int64((millis / 10).rounded(.toNearestOrAwayFromZero)))
    }

    /// `self − other`, in the same unit.
    public func minus(_ other: ReportNumber) -> ReportNumber {
        switch (self, other) {
        case let (.count(a), .count(b)): .count(a - b)
        case let (.hundredths(a), .hundredths(b)): .hundredths(a - b)
        case let (.count(a), .hundredths(b)): .hundredths(a * 100 - b)
        case let (.hundredths(a), .count(b)): .hundredths(a - b * 100)
        }
    }

    /// The figure in hundredths, whatever its unit: what orders figures of one report exactly.
    public var inHundredths: Int64 {
        switch self {
        case .count(let n): n * 100
        case .hundredths(let h): h
        }
    }

    /// The figure as a Double (exact for counts below 2^53).
    public var doubleValue: Double {
        switch self {
        case .count(let n): Double(n)
        case .hundredths(let h): Double(h) / 100
        }
    }

    public var description: String {
        switch self {
        case .count(let n): return String(n)
        case .hundredths(let h):
            let sign = h < 0 ? "-" : ""
            let magnitude = h.magnitude
            let cents = magnitude % 100
            return "\(sign)\(magnitude / 100).\(cents < 10 ? "0" : "")\(cents)"
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .count(let n): try container.encode(n)
        case .hundredths: try container.encode(doubleValue)
        }
    }
}
