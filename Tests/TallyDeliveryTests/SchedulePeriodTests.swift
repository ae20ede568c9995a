import Testing
import TallyDomain

/// The days a scheduled run covers, checked against calendars written out by hand.
@Suite("Schedule periods")
struct SchedulePeriodTests {
    private let newYork = LocalClock(timeZoneIdentifier: "America/New_York")!

    /// 2026-03-02T13:00:00Z is Monday 08:00 in New York.
    private let mondayMorning: Int64 = 1_772_456_400_000

    @Test("previous_day, previous_week, previous_month and period_days cover whole local days before the fire's")
    func periods() {
        func days(_ period: SchedulePeriod, _ instant: Int64) -> String {
            let (first, last) = period.days(firingAt: instant, on: newYork)
            return "\(first.iso)..\(last.iso)"
        }
        #expect(days(.previousDay, mondayMorning) == "2026-03-01..2026-03-01")
        #expect(days(.previousWeek, mondayMorning) == "2026-02-23..2026-03-01")
        #expect(days(.previousMonth, mondayMorning) == "2026-02-01..2026-02-28")
        #expect(days(.days(7), mondayMorning) == "2026-02-23..2026-03-01")
        // 2026-01-01T03:00:00Z is still 31 December 22:00 in New York.
        #expect(days(.previousMonth, 1_767_236_400_000) == "2025-11-01..2025-11-30")
        #expect(days(.previousDay, 1_767_236_400_000) == "2025-12-30..2025-12-30")
    }

    @Test("names read back, and a day count needs the days name")
    func names() {
        #expect(SchedulePeriod(name: "previous_week", days: nil) == .previousWeek)
        #expect(SchedulePeriod(name: "days", days: 30) == .days(30))
        #expect(SchedulePeriod(name: "days", days: nil) == nil)
        #expect(SchedulePeriod(name: "previous_day", days: 3) == nil)
        #expect(SchedulePeriod(name: "yesterday", days: nil) == nil)
    }
}
