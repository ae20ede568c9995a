/// The days a scheduled report covers, relative to its fire instant, in the schedule's zone.
///
/// Only whole days before the fire's local day are covered, so a report mailed at 08:00 never
/// shows a day that is a third over:
/// - `previous_day`: the local day before the fire's;
/// - `previous_week`: Monday to Sunday of the week before the fire's week;
/// - `previous_month`: the calendar month before the fire's;
/// - `days` (with `period_days` = n): the n days that end the day before the fire's.
public enum SchedulePeriod: Sendable, Equatable {
    case previousDay, previousWeek, previousMonth
    case days(Int)

    /// The names the API uses; `days` is written as `period_days`.
    public static let names = ["previous_day", "previous_week", "previous_month"]

    public init?(name: String, days: Int?) {
        switch (name, days) {
        case ("previous_day", nil): self = .previousDay
        case ("previous_week", nil): self = .previousWeek
        case ("previous_month", nil): self = .previousMonth
        case ("days", let count?) where count >= 1: self = .days(count)
        default: return nil
        }
    }

    /// The stored name and day count.
    public var name: String {
        switch self {
        case .previousDay: "previous_day"
        case .previousWeek: "previous_week"
        case .previousMonth: "previous_month"
        case .days: "days"
        }
    }

    public var dayCount: Int? { if case .days(let count) = self { count } else { nil } }

    /// The first and last day covered by a run that fires at `epochMillis` on `clock`.
    public func days(firingAt epochMillis: Int64, on clock: LocalClock) -> (first: Day, last: Day) {
        let today = clock.day(epochMillis: epochMillis)
        let yesterday = today.advanced(by: -1)
        switch self {
        case .previousDay:
            return (yesterday, yesterday)
        case .previousWeek:
            let monday = today.advanced(by: -today.weekdayFromMonday)
            return (monday.advanced(by: -7), monday.advanced(by: -1))
        case .previousMonth:
            let (year, month, _) = today.civil
            let firstOfThisMonth = Day(year: year, month: month, day: 1)!
            let last = firstOfThisMonth.advanced(by: -1)
            let (lastYear, lastMonth, _) = last.civil
            return (Day(year: lastYear, month: lastMonth, day: 1)!, last)
        case .days(let count):
            return (yesterday.advanced(by: -(count - 1)), yesterday)
        }
    }
}
