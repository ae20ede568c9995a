/// From a local wall-clock time back to instants: none, one or two, as the zone's transitions
/// make it.
///
/// A schedule says "02:30 in Europe/Berlin"; on the day clocks spring forward 02:30 never happens,
/// and on the day they fall back it happens twice. `resolve(localSeconds:)` says which, using the
/// same transition table as the forward direction, so the two directions cannot disagree.
extension LocalClock {
    /// The instants (seconds since the epoch) that a local wall-clock time denotes.
    public enum WallTime: Equatable, Sendable {
        /// The local time occurs once, at this instant.
        case unique(Int64)
        /// The local time occurs twice, clocks falling back between the two instants.
        case repeated(first: Int64, second: Int64)
        /// The local time falls in a gap that clocks skip; `gapEnd` is the first instant after it,
        /// the transition, whose local time is the end of the gap.
        case skipped(gapEnd: Int64)

        /// The instant a schedule fires at for this local time: the only one, the first of two,
        /// or the end of the gap.
        public var firingInstant: Int64 {
            switch self {
            case .unique(let instant), .repeated(let instant, _), .skipped(let instant): instant
            }
        }
    }

    /// Resolves `localSeconds`, a wall-clock time counted in seconds since the local epoch
    /// (1970-01-01T00:00:00 on the zone's clock).
    public func resolve(localSeconds: Int64) -> WallTime {
        if offsets.count == 1 { return .unique(localSeconds - Int64(offsets[0])) }
        // Any instant showing `localSeconds` lies within a day of it (offsets are below ±24 h), so
        // only the offsets in effect over that span can give it.
        let first = transitionIndex(atSeconds: localSeconds - 2 * 86_400)
        let last = transitionIndex(atSeconds: localSeconds + 2 * 86_400)
        var instants: [Int64] = []
        for index in first...last {
            let candidate = localSeconds - Int64(offsets[index])
            if offsets[transitionIndex(atSeconds: candidate)] == offsets[index], !instants.contains(candidate) {
                instants.append(candidate)
            }
        }
        instants.sort()
        if instants.count == 1 { return .unique(instants[0]) }
        if instants.count >= 2 { return .repeated(first: instants[0], second: instants[1]) }
        // No instant shows it: it lies in the gap of a transition at which the local time jumps
        // from below it to above it.
        for index in max(first, 1)...max(last, 1) where index < starts.count {
            let before = starts[index] + Int64(offsets[index - 1]), after = starts[index] + Int64(offsets[index])
            if before <= localSeconds && localSeconds < after { return .skipped(gapEnd: starts[index]) }
        }
        return .unique(localSeconds - Int64(offsets[last]))  // unreachable for a consistent table
    }

    /// The index in `starts` of the last transition at or before `seconds`.
    func transitionIndex(atSeconds seconds: Int64) -> Int {
        var low = 0, high = starts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if starts[middle] <= seconds { low = middle } else { high = middle - 1 }
        }
        return low
    }
}
