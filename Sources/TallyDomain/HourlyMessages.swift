/// Messages of one tenant's day per hour of that day: 24 additive counters.
///
/// The day and hour are both taken in one zone, the one that defines the event's day; for now that
/// is UTC (`Event.day`, `Event.hourOfDay`). Keeping hours under the day they belong to, rather than
/// as UTC hours since the epoch, is what lets a later change bucket by a tenant's local day and
/// hour without changing the layout: only the fold decides which (day, hour) an instant falls in.
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
