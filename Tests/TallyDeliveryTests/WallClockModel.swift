import Foundation

/// An independent model of a daily fire time on a zone's wall clock, from Foundation's time zone
/// database alone (not Tally's `LocalClock`): for each local date, the earliest instant whose local
/// time is the target; when none (the spring-forward gap), the first instant after the gap, found
/// by walking the day minute by minute.
enum WallClockModel {
    static func dailyFires(hour: Int, minute: Int, zone: TimeZone, fromMillis: Int64, toMillis: Int64) -> [Int64] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        var fires: [Int64] = []
        let first = calendar.startOfDay(for: Date(timeIntervalSince1970: Double(fromMillis) / 1000)).addingTimeInterval(-86_400)
        var day = first
        while day.timeIntervalSince1970 * 1000 < Double(toMillis) + 86_400_000 {
            let local = calendar.dateComponents([.year, .month, .day], from: day)
            // The wall time as if it were UTC; each offset the zone uses that day turns it into a candidate.
            let naive = utc.date(from: DateComponents(year: local.year, month: local.month, day: local.day, hour: hour, minute: minute))!
            let offsets = Set([-12, 0, 12, 23].map { zone.secondsFromGMT(for: day.addingTimeInterval(Double($0) * 3600)) })
            let matching = offsets.map { naive.addingTimeInterval(-Double($0)) }.filter { candidate in
                let seen = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: candidate)
                return seen.year == local.year && seen.month == local.month && seen.day == local.day && seen.hour == hour && seen.minute == minute
            }
            var fire = matching.min()
            if fire == nil {
                // The gap: the first minute of that local day whose wall time is past the target.
                var probe = naive.addingTimeInterval(-Double(offsets.max()!))
                while true {
                    let seen = calendar.dateComponents([.day, .hour, .minute], from: probe)
                    if seen.day == local.day, (seen.hour! * 60 + seen.minute!) > hour * 60 + minute { break }
                    probe = probe.addingTimeInterval(60)
                }
                // Back to the exact transition instant: the first second with the new offset.
                while zone.secondsFromGMT(for: probe.addingTimeInterval(-1)) == zone.secondsFromGMT(for: probe) { probe = probe.addingTimeInterval(-1) }
                fire = probe
            }
            let millis = Int64(fire!.timeIntervalSince1970 * 1000)
            if millis > fromMillis, millis <= toMillis { fires.append(millis) }
            day = calendar.date(byAdding: .day, value: 1, to: day)!
        }
        return fires.sorted()
    }
}
