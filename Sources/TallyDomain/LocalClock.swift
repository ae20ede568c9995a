/// The rule that turns an instant into a local day and hour in one IANA time zone, DST included.
///
/// Rollups are keyed by the day an event falls in, and a tenant with a time zone wants its own
/// days: midnight to midnight where it lives, 23 hours on the day clocks spring forward and 25 on
/// the day they fall back. The fold asks this once per event on the hot ingest path, so the zone
/// is not consulted through a calendar there: its UTC offsets are precomputed as a table of
/// transitions (`LocalClock(timeZoneIdentifier:)` builds it from the system's tzdata), and a
/// lookup is a binary search over a few hundred instants, or nothing at all for a zone without
/// transitions such as UTC.
public struct LocalClock: Sendable, CustomStringConvertible {
    /// The IANA name, e.g. `Europe/Berlin`; `UTC` for UTC.
    public let identifier: String
    /// UTC instants (seconds since the epoch) from which `offsets` apply, ascending; the first is
    /// `Int64.min`, so every instant has an offset.
    let starts: [Int64]
    /// The zone's offset from UTC in seconds from each of `starts` on.
    let offsets: [Int32]

    /// UTC: day and hour of the instant itself.
    public static let utc = LocalClock(identifier: "UTC", starts: [Int64.min], offsets: [0])

    /// A clock from an explicit transition table (`starts[0]` must be `Int64.min`).
    public init(identifier: String, starts: [Int64], offsets: [Int32]) {
        precondition(!starts.isEmpty && starts.count == offsets.count && starts[0] == Int64.min, "a transition table starts at Int64.min")
        self.identifier = identifier
        self.starts = starts
        self.offsets = offsets
    }

    /// True for a clock whose days are UTC days.
    public var isUTC: Bool { offsets.count == 1 && offsets[0] == 0 }

    public var description: String { identifier }

    /// The offset from UTC in seconds at the instant `epochMillis`.
    @inline(__always)
    public func offsetSeconds(atEpochMillis epochMillis: Int64) -> Int32 {
        if offsets.count == 1 { return offsets[0] }
        let seconds = epochMillis >= 0 ? epochMillis / 1000 : (epochMillis - 999) / 1000
        // The last start at or before `seconds`.
        var low = 0, high = starts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if starts[middle] <= seconds { low = middle } else { high = middle - 1 }
        }
        return offsets[low]
    }

    /// The instant as local wall-clock milliseconds since the local epoch.
    @inline(__always)
    func localMillis(_ epochMillis: Int64) -> Int64 { epochMillis + Int64(offsetSeconds(atEpochMillis: epochMillis)) * 1000 }

    /// The local day containing the instant `epochMillis`.
    public func day(epochMillis: Int64) -> Day { Day(epochMillis: localMillis(epochMillis)) }

    /// The local day and the local hour (0...23) of the instant: an hour clocks skip has no
    /// instant, an hour they repeat holds both of its instants.
    @inline(__always)
    public func dayAndHour(epochMillis: Int64) -> (day: Day, hour: Int) {
        let local = localMillis(epochMillis)
        let day = Day(epochMillis: local)
        return (day, Int((local - Int64(day.number) * 86_400_000) / 3_600_000))
    }
}

extension LocalClock: Equatable, Hashable {
    /// Clocks of one identifier are the same zone.
    public static func == (lhs: LocalClock, rhs: LocalClock) -> Bool { lhs.identifier == rhs.identifier }
    public func hash(into hasher: inout Hasher) { hasher.combine(identifier) }
}
