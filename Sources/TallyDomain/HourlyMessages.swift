/// Messages of one tenant's day per hour of that day: 24 additive counters.
///
/// The day and hour are both taken on the tenant's clock (`LocalClock.dayAndHour`): UTC unless the
/// tenant set a time zone. On a day with 23 local hours the skipped hour stays 0; on one with 25 the
/// repeated hour holds both of its hours' messages, so the day's 24 counters still add up to it.
public struct HourlyMessages: Sendable, Equatable {
    public static let hoursPerDay = 24

    /// Messages by hour of day, 0...23.
    public var counts: [Int64]

    public init() { counts = Array(repeating: 0, count: Self.hoursPerDay) }

    public init(counts: [Int64]) {
        precondition(counts.count == Self.hoursPerDay, "an hourly row has 24 counters")
        self.counts = counts
    }

    public subscript(hour: Int) -> Int64 {
        get { counts[hour] }
        set { counts[hour] = newValue }
    }

    /// Counts one message at `hour`.
    public mutating func count(hour: Int) { counts[hour] += 1 }
}
