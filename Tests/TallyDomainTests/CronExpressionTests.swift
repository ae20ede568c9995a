import Testing
import TallyDomain

/// Parsing cron expressions: what each field accepts, and the message for what it refuses.
@Suite("Cron expressions")
struct CronExpressionTests {
    /// The days of 2026 (from 1 January, a Thursday) that `text` matches, as `MM-DD`.
    static func days2026(_ text: String, through last: String = "12-31") throws -> [String] {
        let expression = try CronExpression(parsing: text)
        let first = Day(year: 2026, month: 1, day: 1)!, end = Day(iso: "2026-" + last)!
        return (0...(end.number - first.number)).map { first.advanced(by: Int($0)) }
            .filter { expression.matches(day: $0) }.map { String($0.iso.dropFirst(5)) }
    }

    /// The first fires after 2026-01-01T00:00Z in UTC, as RFC 3339.
    static func firstFires(_ text: String, _ count: Int) throws -> [String] {
        let schedule = CronSchedule(try CronExpression(parsing: text), in: .utc)
        return schedule.fireInstants(after: 1_767_225_600_000, count: count).map { RFC3339.string(epochSeconds: $0 / 1000) }
    }

    @Test("each refusal names the field, the text and why", arguments: [
        ("0 24 * * *", "hour: 24 is out of range 0-23"),
        ("60 * * * *", "minute: 60 is out of range 0-59"),
        ("0 0 0 * *", "day_of_month: 0 is out of range 1-31"),
        ("0 0 32 * *", "day_of_month: 32 is out of range 1-31"),
        ("0 0 * 13 *", "month: 13 is out of range 1-12"),
        ("0 0 * * 8", "day_of_week: 8 is out of range 0-7"),
        ("0 0 * * FUNDAY", "day_of_week: unknown name 'FUNDAY'"),
        ("0 0 * JANUARY *", "month: unknown name 'JANUARY'"),
        ("0 MON * * *", "hour: 'MON' is not a number (only month and day_of_week take names)"),
        ("0 0 * * * *", "expected 5 fields separated by spaces, got 6"),
        ("0 0 * *", "expected 5 fields separated by spaces, got 4"),
        ("", "expected 5 fields separated by spaces, got 0"),
        ("1,,2 * * * *", "minute: empty item in the list '1,,2'"),
        ("1, * * * *", "minute: empty item in the list '1,'"),
        ("0 20-10 * * *", "hour: the range 20-10 is reversed"),
        ("0 0 * * FRI-MON", "day_of_week: the range FRI-MON is reversed"),
        ("0 0 * * MON-SUN", "day_of_week: the range MON-SUN is reversed (Sunday is 0; to end a range on Sunday write 7, e.g. 1-7)"),
        ("*/0 * * * *", "minute: the step in '*/0' must be at least 1"),
        ("*/99999999999999999999 * * * *", "minute: the step in '*/99999999999999999999' is too large"),
        ("0 99999999999999999999 * * *", "hour: 99999999999999999999 is out of range 0-23"),
        ("*/x * * * *", "minute: the step in '*/x' is not a whole number"),
        ("*/ * * * *", "minute: the step in '*/' is not a whole number"),
        ("1/2/3 * * * *", "minute: '1/2/3' has more than one step"),
        ("/5 * * * *", "minute: '/5' has no value before its step"),
        ("5- * * * *", "minute: '5-' is not a value or a range a-b"),
        ("-1 * * * *", "minute: '-1' is not a value or a range a-b"),
        ("1-2-3 * * * *", "minute: '1-2-3' is not a value or a range a-b"),
        ("x5 * * * *", "minute: 'x5' is not a number"),
        ("1.5 * * * *", "minute: '1.5' is not a number"),
        ("0 0 ? * *", "day_of_month: '?' is not a number"),
        ("0 0 L * *", "day_of_month: 'L' is not a number (only month and day_of_week take names)"),
        ("@reboot", "@reboot has no fire times; use five fields or @hourly, @daily, @weekly, @monthly, @yearly"),
        ("@often", "unknown macro '@often'; use five fields or @hourly, @daily, @midnight, @weekly, @monthly, @yearly, @annually"),
    ])
    func refusals(text: String, message: String) {
        #expect(throws: CronError.self) { try CronExpression(parsing: text) }
        do {
            _ = try CronExpression(parsing: text)
        } catch {
            #expect(error.message == message, "\(text)")
        }
    }

    @Test("the error carries its field and offending text")
    func errorParts() throws {
        do {
            _ = try CronExpression(parsing: "0 0 * * MON,FUNDAY")
            Issue.record("accepted")
        } catch {
            #expect(error.field == .dayOfWeek)
            #expect(error.text == "FUNDAY")
            #expect(error.reason == "unknown name 'FUNDAY'")
        }
        do {
            _ = try CronExpression(parsing: "0 0 * * * *")
            Issue.record("accepted")
        } catch {
            #expect(error.field == nil)
            #expect(error.text == "0 0 * * * *")
        }
    }

    @Test("Vixie's day rule: both day fields restricted means either suffices")
    func vixieDayRule() throws {
        // The 1st, the 15th, and every Monday of January 2026.
        #expect(try Self.days2026("0 0 1,15 * MON", through: "01-31") == ["01-01", "01-05", "01-12", "01-15", "01-19", "01-26"])
        // One restricted: it alone decides.
        #expect(try Self.days2026("0 0 1,15 * *", through: "01-31") == ["01-01", "01-15"])
        #expect(try Self.days2026("0 0 * * MON", through: "01-31") == ["01-05", "01-12", "01-19", "01-26"])
        // A field starting with '*' is unrestricted even with a step, so here both must match:
        // odd days that are Mondays.
        #expect(try Self.days2026("0 0 */2 * MON", through: "01-31") == ["01-05", "01-19"])
        // A range covering every day is restricted: 1-31 or Monday is every day.
        #expect(try Self.days2026("0 0 1-31 * MON", through: "01-10").count == 10)
        // 15 2 8-14 3 SUN: 8–14 March or any Sunday in March.
        #expect(try Self.days2026("15 2 8-14 3 SUN") == ["03-01", "03-08", "03-09", "03-10", "03-11", "03-12", "03-13", "03-14", "03-15", "03-22", "03-29"])
    }

    @Test("names in any case, and 0 or 7 for Sunday")
    func names() throws {
        #expect(try CronExpression(parsing: "0 0 * jan-MAR,dec Mon-fri") == CronExpression(parsing: "0 0 * 1-3,12 1-5"))
        #expect(try CronExpression(parsing: "0 0 * * 7") == CronExpression(parsing: "0 0 * * 0"))
        #expect(try CronExpression(parsing: "0 0 * * SUN") == CronExpression(parsing: "0 0 * * 0"))
        #expect(try CronExpression(parsing: "0 0 * * 5-7") == CronExpression(parsing: "0 0 * * FRI,SAT,SUN"))
        #expect(try CronExpression(parsing: "0 0 * * 0-7") == CronExpression(parsing: "0 0 * * 0-6"))
        #expect(try Self.days2026("0 0 * * 7", through: "01-31") == ["01-04", "01-11", "01-18", "01-25"])
    }

    @Test("steps: */n, a-b/n, a/n to the field's end, lists of them")
    func steps() throws {
        #expect(try Self.firstFires("*/20 * * * *", 4) == ["2026-01-01T00:20:00Z", "2026-01-01T00:40:00Z", "2026-01-01T01:00:00Z", "2026-01-01T01:20:00Z"])
        #expect(try Self.firstFires("10-30/10 * * * *", 4) == ["2026-01-01T00:10:00Z", "2026-01-01T00:20:00Z", "2026-01-01T00:30:00Z", "2026-01-01T01:10:00Z"])
        #expect(try Self.firstFires("50/5 23 * * *", 3) == ["2026-01-01T23:50:00Z", "2026-01-01T23:55:00Z", "2026-01-02T23:50:00Z"])
        #expect(try Self.firstFires("0 0 * */5 *", 3) == ["2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z", "2026-01-04T00:00:00Z"])
        #expect(try Self.firstFires("0 0 1 */5 *", 3) == ["2026-06-01T00:00:00Z", "2026-11-01T00:00:00Z", "2027-01-01T00:00:00Z"])
        #expect(try Self.firstFires("0 0 1,10-12/2 1 *", 3) == ["2026-01-10T00:00:00Z", "2026-01-12T00:00:00Z", "2027-01-01T00:00:00Z"])
        // A step longer than its range keeps the first value.
        #expect(try CronExpression(parsing: "5-10/20 * * * *") == CronExpression(parsing: "5 * * * *"))
        // a/n for day of week runs to Saturday: Monday, Wednesday, Friday, and not the second Sunday.
        #expect(try CronExpression(parsing: "0 0 * * 1/2") == CronExpression(parsing: "0 0 * * 1,3,5"))
    }

    @Test("macros stand for their five fields", arguments: [
        ("@hourly", "0 * * * *"), ("@daily", "0 0 * * *"), ("@midnight", "0 0 * * *"), ("@weekly", "0 0 * * 0"),
        ("@monthly", "0 0 1 * *"), ("@yearly", "0 0 1 1 *"), ("@annually", "0 0 1 1 *"), ("@DAILY", "0 0 * * *"),
    ])
    func macros(macro: String, fields: String) throws {
        #expect(try CronExpression(parsing: macro) == CronExpression(parsing: fields))
    }

    @Test("blanks: tabs and repeated spaces separate fields; surrounding blanks are ignored")
    func blanks() throws {
        let expression = try CronExpression(parsing: "  0\t2  * *   *  ")
        #expect(expression == (try CronExpression(parsing: "0 2 * * *")))
        #expect(expression.text == "0\t2  * *   *")
    }

    @Test("expressions whose day never comes are told apart")
    func neverFires() throws {
        for text in ["0 0 30 2 *", "0 0 31 4,6,9,11 *", "0 0 30,31 FEB *", "0 0 31 2 */2"] {
            let expression = try CronExpression(parsing: text)
            #expect(expression.neverFires, "\(text)")
            #expect(expression.neverFiresError?.field == .dayOfMonth)
            #expect(CronSchedule(expression, in: .utc).fireInstants(after: 0, count: 5).isEmpty)
        }
        for text in ["0 0 29 2 *", "0 0 31 * *", "0 0 30 2 MON", "0 0 31 1-4 *", "* * * * *"] {
            let expression = try CronExpression(parsing: text)
            #expect(!expression.neverFires, "\(text)")
            #expect(expression.neverFiresError == nil)
        }
        // 30 February or any Monday (Vixie's either rule) fires on Mondays in February.
        #expect(try Self.firstFires("0 0 30 2 MON", 2) == ["2026-02-02T00:00:00Z", "2026-02-09T00:00:00Z"])
    }
}
