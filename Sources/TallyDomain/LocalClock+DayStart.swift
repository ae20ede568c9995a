extension LocalClock {
    /// The first instant (ms since the epoch) whose local day is `day`: local midnight, or the end
    /// of a gap when clocks spring forward across midnight. Reports turn a period of local days
    /// into instants with it, to select records that carry instants (audit entries, key times).
    public func startMillis(of day: Day) -> Int64 {
        let midnight = Int64(day.number) * 86_400_000
        // Each offset the zone had around midnight gives a candidate; the earliest that falls in
        // `day` is its start.
        var candidates: [Int64] = []
        for guess in [midnight - 86_400_000, midnight, midnight + 86_400_000] {
            let candidate = midnight - Int64(offsetSeconds(atEpochMillis: guess)) * 1000
            if self.day(epochMillis: candidate) == day { candidates.append(candidate) }
        }
        // A repeated midnight (clocks falling back across it) gives two: the first is the start.
        if let earliest = candidates.min() { return earliest }
        // Midnight itself was skipped: the day starts at the transition out of the gap.
        let seconds = starts.first { $0 != Int64.min && self.day(epochMillis: $0 * 1000) == day && $0 * 1000 >= midnight - 86_400_000 }
        return (seconds ?? midnight / 1000) * 1000
    }
}
