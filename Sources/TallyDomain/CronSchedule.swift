/// A cron expression on a zone's clock: the instants a scheduled report fires at.
///
/// Fire times are local wall-clock times in the schedule's zone, so "every day at 02:30" stays at
/// 02:30 across DST. Two days a year the wall clock and the instants do not correspond one to one,
/// and the rule is:
///
/// - **Gap** (clocks spring forward): a matching local time that does not exist fires once, at the
///   first instant after the gap, i.e. the transition. In New York on 2026-03-08 clocks jump from
///   02:00 to 03:00, so `30 2 * * *` fires at 03:00 EDT (07:00Z). Several matching times in one
///   gap, and a matching time at the gap's end (`*/15 2-3 * * *`: 02:00, 02:15, 02:30, 02:45 and
///   03:00), all fire once together at that instant, not once each.
/// - **Overlap** (clocks fall back): a matching local time that occurs twice fires once, at its
///   first occurrence (the earlier offset). In New York on 2026-11-01 01:00–01:59 happen twice;
///   `30 1 * * *` fires at 01:30 EDT (05:30Z) and not at 01:30 EST.
///
/// Local times map to instants in order (each time's instant is no earlier than the previous
/// one's), so the fire instants come out ascending and a fire is never produced twice.
public struct CronSchedule: Sendable {
    public let expression: CronExpression
    public let clock: LocalClock

    /// How far past the start the search for a matching day goes, in years, before concluding
    /// that nothing matches. Any expression that fires at all fires within 40 years (29 February
    /// on a given weekday is the sparsest case), and an expression that never fires
    /// (`CronExpression.neverFires`) is answered at once without searching.
    public static let horizonYears = 100

    /// 2^50 ms, about 35,700 years: how far from 1970 the search goes either way.
    static let searchLimitMillis: Int64 = 1 << 50

    public init(_ expression: CronExpression, in clock: LocalClock) {
        self.expression = expression
        self.clock = clock
    }

    /// The first `count` fire instants strictly after `epochMillis`, ascending, in milliseconds
    /// since the epoch (whole seconds: matching minutes, or transitions for times in a gap).
    /// Fewer when the search horizon ends first; none for an expression that never fires.
    public func fireInstants(after epochMillis: Int64, count: Int) -> [Int64] {
        // Searches stay within ±35,000 years of 1970, where days and minutes are far from
        // overflowing: nothing fires after that, and a search from before it starts there.
        guard count > 0, !expression.neverFires, epochMillis < Self.searchLimitMillis else { return [] }
        let searchStart = max(epochMillis, -Self.searchLimitMillis)
        let afterSeconds = searchStart >= 0 ? searchStart / 1000 : (searchStart - 999) / 1000
        // The local minute containing `epochMillis`: no earlier local time can fire after it, as
        // local times map to instants in order and this one's first instant is not after it.
        let localSeconds = afterSeconds + Int64(clock.offsetSeconds(atEpochMillis: searchStart))
        var cursor = localSeconds >= 0 ? localSeconds / 60 : (localSeconds - 59) / 60
        let horizon = Day(epochSeconds: localSeconds).advanced(by: Self.horizonYears * 366)
        var fires: [Int64] = []
        while fires.count < count, let minute = expression.firstMinute(atOrAfter: cursor, before: horizon) {
            let instant = clock.resolve(localSeconds: minute * 60).firingInstant * 1000
            // Equal instants are times sharing one gap: they fire once.
            if instant > epochMillis, instant > (fires.last ?? Int64.min) { fires.append(instant) }
            cursor = minute + 1
        }
        return fires
    }

    /// The first fire instant strictly after `epochMillis`, or nil when there is none.
    public func nextFire(after epochMillis: Int64) -> Int64? { fireInstants(after: epochMillis, count: 1).first }
}
