/// Writes instants as RFC 3339 date-times to the second, in UTC (`Z`) or at a numeric offset.
///
/// Schedule previews show each fire instant twice, `2026-03-08T07:00:00Z` and
/// `2026-03-08T03:00:00-04:00`: the second is the wall clock of the schedule's zone, so that a
/// reader sees the rule at work without converting. Both parse back (`epochMilliseconds`) to the
/// same instant.
extension RFC3339 {
    /// The instant `epochSeconds` as `YYYY-MM-DDTHH:MM:SS` followed by `Z` when `offsetSeconds` is
    /// nil, or by the local wall clock at that offset and `±HH:MM` (`+00:00` for a zero offset).
    ///
    /// RFC 3339 offsets have no seconds; a zone's offset with seconds (none since 1972) is cut to
    /// whole minutes toward zero, and the wall clock shown is the one at the offset shown, so the
    /// text still denotes the exact instant.
    public static func string(epochSeconds: Int64, offsetSeconds: Int32? = nil) -> String {
        let offset = Int64(offsetSeconds.map { $0 / 60 * 60 } ?? 0)
        let local = epochSeconds + offset
        let day = Day(epochSeconds: local)
        let secondOfDay = Int(local - Int64(day.number) * 86_400)
        let clock = "\(day.iso)T\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))"
        guard offsetSeconds != nil else { return clock + "Z" }
        let minutes = Int(abs(offset) / 60)
        return clock + (offset < 0 ? "-" : "+") + two(minutes / 60) + ":" + two(minutes % 60)
    }

    private static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
