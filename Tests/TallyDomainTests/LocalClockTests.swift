import Foundation
import Testing
import TallyDomain

/// `LocalClock`'s transition tables against Foundation's own calendar, which is the reference:
/// every instant's local day and hour must be the calendar's in that zone.
@Suite("Local clocks")
struct LocalClockTests {
    static let zones = ["America/New_York", "Asia/Kathmandu", "Europe/Berlin", "Australia/Lord_Howe", "Pacific/Chatham", "UTC"]

    @Test("day and hour equal the calendar's at random instants 2000–2040", arguments: zones)
    func matchesCalendar(zone: String) throws {
        let clock = try #require(LocalClock(timeZoneIdentifier: zone))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: zone))
        var random = SeededRandom(seed: 7)
        for _ in 0..<5_000 {
            let millis = Int64(random.int(in: 946_684_800...2_208_988_800)) * 1000 + Int64(random.int(in: 0...999))
            let parts = calendar.dateComponents([.year, .month, .day, .hour], from: Date(timeIntervalSince1970: Double(millis) / 1000))
            let (day, hour) = clock.dayAndHour(epochMillis: millis)
            #expect(day == Day(year: parts.year!, month: parts.month!, day: parts.day!)!, "\(zone) at \(millis)")
            #expect(hour == parts.hour!, "\(zone) at \(millis)")
        }
    }

    @Test("New York's DST days have 23 and 25 hours; every instant of them lies in the day")
    func dstDaysHaveTheirHours() throws {
        let clock = try #require(LocalClock(timeZoneIdentifier: "America/New_York"))
        func hours(_ iso: String) -> Int {
            let day = Day(iso: iso)!
            // Count the UTC hours (on the half hour, away from transitions) whose instant is on that local day.
            let base = Int64(day.number) * 86_400_000
            return (-24..<48).filter { clock.day(epochMillis: base + Int64($0) * 3_600_000 + 1_800_000) == day }.count
        }
        #expect(hours("2026-03-08") == 23)
        #expect(hours("2026-11-01") == 25)
        #expect(hours("2026-06-01") == 24)
    }

    @Test("names outside the tzdata are refused")
    func refusesUnknownNames() {
        for name in ["Mars/Olympus", "", "utc", "Europe/Berlin ", "+05:45"] { #expect(LocalClock(timeZoneIdentifier: name) == nil, "\(name)") }
        #expect(LocalClock(timeZoneIdentifier: "UTC")?.isUTC == true)
    }
}
