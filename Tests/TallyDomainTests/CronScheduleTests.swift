import Testing
import TallyDomain

/// Fire instants on a zone's clock, checked by hand at the days clocks change.
@Suite("Cron schedules")
struct CronScheduleTests {
    /// The first `count` fires of `text` in `zone` strictly after `from`, as (UTC, local) RFC 3339.
    static func fires(_ text: String, _ zone: String, after from: String, _ count: Int) throws -> [String] {
        let preview = try SchedulePreview(cron: text, timezone: zone, from: from, count: count, now: 0)
        return preview.fires.map { "\($0.at) \($0.local)" }
    }

    @Test("a time in New York's spring-forward gap fires once, at the end of the gap")
    func springForwardGap() throws {
        #expect(try Self.fires("30 2 * * *", "America/New_York", after: "2026-03-07T00:00:00Z", 3) == [
            "2026-03-07T07:30:00Z 2026-03-07T02:30:00-05:00",
            "2026-03-08T07:00:00Z 2026-03-08T03:00:00-04:00",
            "2026-03-09T06:30:00Z 2026-03-09T02:30:00-04:00",
        ])
        // 02:00, 02:15, 02:30, 02:45 (skipped) and 03:00 (the gap's end) are one fire.
        #expect(try Self.fires("*/15 2-3 * * *", "America/New_York", after: "2026-03-08T06:00:00Z", 4) == [
            "2026-03-08T07:00:00Z 2026-03-08T03:00:00-04:00",
            "2026-03-08T07:15:00Z 2026-03-08T03:15:00-04:00",
            "2026-03-08T07:30:00Z 2026-03-08T03:30:00-04:00",
            "2026-03-08T07:45:00Z 2026-03-08T03:45:00-04:00",
        ])
        // The next fire after the gap's instant itself is a later one.
        #expect(try Self.fires("30 2 * * *", "America/New_York", after: "2026-03-08T07:00:00Z", 1) == ["2026-03-09T06:30:00Z 2026-03-09T02:30:00-04:00"])
        #expect(try Self.fires("30 2 * * *", "America/New_York", after: "2026-03-08T06:59:59Z", 1) == ["2026-03-08T07:00:00Z 2026-03-08T03:00:00-04:00"])
    }

    @Test("a time New York repeats when falling back fires once, at its first occurrence")
    func fallBackOverlap() throws {
        #expect(try Self.fires("30 1 * * *", "America/New_York", after: "2026-10-31T12:00:00Z", 2) == [
            "2026-11-01T05:30:00Z 2026-11-01T01:30:00-04:00",
            "2026-11-02T06:30:00Z 2026-11-02T01:30:00-05:00",
        ])
        // From inside the second occurrence, the repeated times have already fired.
        #expect(try Self.fires("*/20 1-2 * * *", "America/New_York", after: "2026-11-01T06:10:00Z", 3) == [
            "2026-11-01T07:00:00Z 2026-11-01T02:00:00-05:00",
            "2026-11-01T07:20:00Z 2026-11-01T02:20:00-05:00",
            "2026-11-01T07:40:00Z 2026-11-01T02:40:00-05:00",
        ])
        // Every minute in the overlap hour fires once: 60 fires from 01:00 EDT to 01:59 EDT, then 02:00 EST.
        let schedule = CronSchedule(try CronExpression(parsing: "* 1-2 * * *"), in: try #require(LocalClock(timeZoneIdentifier: "America/New_York")))
        let instants = schedule.fireInstants(after: try #require(RFC3339.epochMilliseconds("2026-11-01T04:59:00Z")), count: 61)
        #expect(instants.first == RFC3339.epochMilliseconds("2026-11-01T05:00:00Z"))
        #expect(instants[59] == RFC3339.epochMilliseconds("2026-11-01T05:59:00Z"))
        #expect(instants[60] == RFC3339.epochMilliseconds("2026-11-01T07:00:00Z"))
    }

    @Test("half-hour and 45-minute zones: Lord Howe's 30-minute shift, Chatham's gap at 02:45")
    func unusualOffsets() throws {
        // Lord Howe springs forward 02:00 → 02:30 on 2026-10-04.
        #expect(try Self.fires("15 2 * * *", "Australia/Lord_Howe", after: "2026-10-03T00:00:00Z", 2) == [
            "2026-10-03T15:30:00Z 2026-10-04T02:30:00+11:00",
            "2026-10-04T15:15:00Z 2026-10-05T02:15:00+11:00",
        ])
        // It falls back 02:00 → 01:30 on 2026-04-05: 01:45 happens twice and fires once.
        #expect(try Self.fires("45 1 * * *", "Australia/Lord_Howe", after: "2026-04-04T00:00:00Z", 2) == [
            "2026-04-04T14:45:00Z 2026-04-05T01:45:00+11:00",
            "2026-04-05T15:15:00Z 2026-04-06T01:45:00+10:30",
        ])
        // Chatham springs forward 02:45 → 03:45 on 2026-09-27.
        #expect(try Self.fires("0 3 * * *", "Pacific/Chatham", after: "2026-09-26T00:00:00Z", 2) == [
            "2026-09-26T14:00:00Z 2026-09-27T03:45:00+13:45",
            "2026-09-27T13:15:00Z 2026-09-28T03:00:00+13:45",
        ])
        #expect(try Self.fires("0 9 * * *", "America/St_Johns", after: "2026-01-01T00:00:00Z", 1) == ["2026-01-01T12:30:00Z 2026-01-01T09:00:00-03:30"])
        #expect(try Self.fires("0 9 * * *", "Asia/Kolkata", after: "2026-01-01T00:00:00Z", 1) == ["2026-01-01T03:30:00Z 2026-01-01T09:00:00+05:30"])
        #expect(try Self.fires("0 9 * * *", "UTC", after: "2026-01-01T00:00:00Z", 1) == ["2026-01-01T09:00:00Z 2026-01-01T09:00:00+00:00"])
    }

    @Test("local wall-clock times resolve to one, two or no instants")
    func resolve() throws {
        let newYork = try #require(LocalClock(timeZoneIdentifier: "America/New_York"))
        func local(_ iso: String, _ hour: Int, _ minute: Int) -> Int64 { Int64(Day(iso: iso)!.number) * 86_400 + Int64(hour * 3600 + minute * 60) }
        func instant(_ text: String) -> Int64 { RFC3339.epochMilliseconds(text)! / 1000 }
        #expect(newYork.resolve(localSeconds: local("2026-03-08", 2, 30)) == .skipped(gapEnd: instant("2026-03-08T07:00:00Z")))
        #expect(newYork.resolve(localSeconds: local("2026-03-08", 3, 0)) == .unique(instant("2026-03-08T07:00:00Z")))
        #expect(newYork.resolve(localSeconds: local("2026-03-08", 1, 59)) == .unique(instant("2026-03-08T06:59:00Z")))
        #expect(newYork.resolve(localSeconds: local("2026-11-01", 1, 30)) == .repeated(first: instant("2026-11-01T05:30:00Z"), second: instant("2026-11-01T06:30:00Z")))
        #expect(newYork.resolve(localSeconds: local("2026-11-01", 2, 0)) == .unique(instant("2026-11-01T07:00:00Z")))
        #expect(LocalClock.utc.resolve(localSeconds: 86_400) == .unique(86_400))
    }

    @Test("sparse expressions are found years ahead without walking minutes")
    func sparse() throws {
        let clock = try #require(LocalClock(timeZoneIdentifier: "Europe/Berlin"))
        let from = try #require(RFC3339.epochMilliseconds("2026-01-01T00:00:00Z"))
        let leapDays = CronSchedule(try CronExpression(parsing: "0 12 29 2 *"), in: clock).fireInstants(after: from, count: 3)
        #expect(leapDays.map { RFC3339.string(epochSeconds: $0 / 1000) } == ["2028-02-29T11:00:00Z", "2032-02-29T11:00:00Z", "2036-02-29T11:00:00Z"])
        // 29 February on a Sunday: 2032, then 2060.
        let sundayLeapDays = CronSchedule(try CronExpression(parsing: "0 0 29 2 */7"), in: .utc).fireInstants(after: from, count: 2)
        #expect(sundayLeapDays.map { RFC3339.string(epochSeconds: $0 / 1000) } == ["2032-02-29T00:00:00Z", "2060-02-29T00:00:00Z"])
        // Every minute for a day is 1440 fires, in order.
        let everyMinute = CronSchedule(try CronExpression(parsing: "* * * * *"), in: clock).fireInstants(after: from, count: 1440)
        #expect(everyMinute.count == 1440 && zip(everyMinute, everyMinute.dropFirst()).allSatisfy { $1 - $0 == 60_000 })
        #expect(everyMinute.first == from + 60_000)
    }

    @Test("instants far from 1970 neither trap nor search for ever")
    func extremes() throws {
        let schedule = CronSchedule(try CronExpression(parsing: "* * * * *"), in: try #require(LocalClock(timeZoneIdentifier: "Europe/Berlin")))
        #expect(schedule.fireInstants(after: Int64.max, count: 3).isEmpty)
        #expect(schedule.fireInstants(after: Int64.min, count: 3).count == 3)
        #expect(schedule.nextFire(after: -1) == 0)
        #expect(schedule.fireInstants(after: 0, count: 0).isEmpty)
    }

    @Test("a preview refuses bad cron, unknown zones, bad from and counts outside 1-50")
    func previewRefusals() {
        func refusal(_ cron: String, _ zone: String, from: String? = nil, count: Int? = nil) -> SchedulePreviewError? {
            do {
                _ = try SchedulePreview(cron: cron, timezone: zone, from: from, count: count, now: 0)
                return nil
            } catch { return error }
        }
        #expect(refusal("0 24 * * *", "UTC")?.code == "invalid_cron")
        #expect(refusal("0 24 * * *", "UTC")?.message == "cron: hour: 24 is out of range 0-23")
        #expect(refusal("0 0 30 2 *", "UTC")?.code == "invalid_cron")
        #expect(refusal("0 0 30 2 *", "UTC")?.message == "cron: day_of_month: no day in the chosen months, so '0 0 30 2 *' never fires")
        #expect(refusal("0 0 * * *", "Mars/Olympus") == .invalidTimezone("Mars/Olympus"))
        #expect(refusal("0 0 * * *", "EST5EDT ")?.code == "invalid_timezone")
        #expect(refusal("0 0 * * *", "UTC", from: "2026-01-01") == .invalidFrom("2026-01-01"))
        #expect(refusal("0 0 * * *", "UTC", count: 0) == .invalidCount(0))
        #expect(refusal("0 0 * * *", "UTC", count: 51)?.message == "count: 51 is out of range 1-50")
        #expect(refusal("0 0 * * *", "UTC", count: 50) == nil)
    }

    @Test("a preview lists 5 fires after now by default, from an explicit from otherwise")
    func previewDefaults() throws {
        let now = try #require(RFC3339.epochMilliseconds("2026-06-01T10:15:30.500Z"))
        let preview = try SchedulePreview(cron: "@hourly", timezone: "Europe/London", from: nil, count: nil, now: now)
        #expect(preview.fires.count == SchedulePreview.defaultCount)
        #expect(preview.fires.first == SchedulePreview.Fire(at: "2026-06-01T11:00:00Z", local: "2026-06-01T12:00:00+01:00"))
        let fromOffset = try SchedulePreview(cron: "@daily", timezone: "Europe/London", from: "2026-01-01T00:00:00+01:00", count: 1, now: now)
        #expect(fromOffset.fires == [SchedulePreview.Fire(at: "2026-01-01T00:00:00Z", local: "2026-01-01T00:00:00+00:00")])
        #expect(RFC3339.epochMilliseconds(fromOffset.fires[0].local) == RFC3339.epochMilliseconds(fromOffset.fires[0].at))
    }
}
