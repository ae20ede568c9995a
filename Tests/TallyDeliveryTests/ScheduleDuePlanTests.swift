import Testing
import TallyDomain

/// What a schedule does after the time it was not looked at: at most one run, the rest skipped.
@Suite("Schedule due plans")
struct ScheduleDuePlanTests {
    private let hourly = CronSchedule(try! CronExpression(parsing: "0 * * * *"), in: .utc)
    private let start = RFC3339.epochMilliseconds("2026-06-01T00:00:00Z")!

    @Test("nothing due, one due on time, and one due late")
    func simple() {
        #expect(ScheduleDuePlan(hourly, afterMillis: start, nowMillis: start + 59 * 60_000, catchUpMillis: 3_600_000) ==
                ScheduleDuePlan(hourly, afterMillis: start, nowMillis: start + 1, catchUpMillis: 3_600_000))
        let onTime = ScheduleDuePlan(hourly, afterMillis: start, nowMillis: start + 3_600_000 + 999, catchUpMillis: 3_600_000)
        #expect(onTime.run?.instant == start + 3_600_000 && onTime.run?.lateByMillis == 0 && onTime.skipped.isEmpty)
        let late = ScheduleDuePlan(hourly, afterMillis: start, nowMillis: start + 3_600_000 + 120_000, catchUpMillis: 3_600_000)
        #expect(late.run?.lateByMillis == 120_000)
    }

    @Test("ten missed instants: the newest runs and nine are skipped; past the window all ten are skipped")
    func missed() {
        let now = start + 10 * 3_600_000 + 300_000
        let plan = ScheduleDuePlan(hourly, afterMillis: start, nowMillis: now, catchUpMillis: 6 * 3_600_000)
        #expect(plan.run?.instant == start + 10 * 3_600_000)
        #expect(plan.skipped.map(\.instant) == (1...9).map { start + Int64($0) * 3_600_000 })
        let stale = ScheduleDuePlan(hourly, afterMillis: start, nowMillis: now, catchUpMillis: 60_000)
        #expect(stale.run == nil && stale.skipped.count == 10 && stale.skipped.allSatisfy { $0.reason.contains("1 min") })
    }

    @Test("a week of missed minutes records the newest 20 skips and counts the others in the oldest one's reason")
    func longDowntime() {
        let everyMinute = CronSchedule(try! CronExpression(parsing: "* * * * *"), in: .utc)
        let now = start + 7 * 86_400_000
        let plan = ScheduleDuePlan(everyMinute, afterMillis: start, nowMillis: now, catchUpMillis: 6 * 3_600_000)
        #expect(plan.run?.instant == now)
        #expect(plan.skipped.count == ScheduleDuePlan.maximumRecordedSkips)
        #expect(plan.skipped.last?.instant == now - 60_000)
        // 7 × 1440 = 10,080 due; 1 runs, 20 listed, 10,059 counted.
        #expect(plan.skipped.first?.reason.contains("10059 earlier missed instants") == true, "\(plan.skipped.first?.reason ?? "")")
        // Past the catch-up window too: still 20 listed, the rest counted.
        let stale = ScheduleDuePlan(everyMinute, afterMillis: start, nowMillis: now + 30_000, catchUpMillis: 10_000)
        #expect(stale.run == nil && stale.skipped.count == ScheduleDuePlan.maximumRecordedSkips)
        #expect(stale.skipped.first?.reason.contains("10060 earlier missed instants") == true, "\(stale.skipped.first?.reason ?? "")")
    }
}
