import Foundation
import GRDB
import Testing
import TallySettings

/// Report schedules in the settings store: the commands' pinned JSON, a run recorded once per
/// (schedule, instant), delivery claims, and the ends a run may have.
@Suite("Schedule commands")
struct ScheduleCommandTests {
    static func schedule(_ id: String = "sch_1", version: Int = 1, recipients: [String] = ["a@example.com", "b@example.com"],
                         title: String = "Weekly") -> ReportSchedule {
        ReportSchedule(id: id, userId: "tenant-1", title: title, type: "usage", format: "pdf", sections: ["usage_summary"], cron: "0 8 * * 1",
                       timeZone: "America/New_York", recipients: recipients, period: "previous_week", version: version, createdAtMillis: 1,
                       createdByKeyId: "key_x", createdByKeyName: "ops")
    }

    static func job(_ id: String) -> ReportJob.Request {
        ReportJob.Request(id: id, userId: "tenant-1", type: "usage", format: "pdf", title: "Weekly", sections: ["usage_summary"], startDate: "2026-01-05",
                          endDate: "2026-01-11", timeZone: "UTC", createdByKeyId: "key_x", createdByKeyName: "schedule sch_1", createdAtMillis: 3)
    }

    static func running(at instant: Int64, report: String = "rpt_1", recipients: [String] = ["a@example.com", "b@example.com"]) -> ScheduleRun.Record {
        ScheduleRun.Record(scheduleId: "sch_1", scheduledAtMillis: instant, trigger: .cron, state: .running, reportId: report, recipients: recipients, atMillis: 3)
    }

    static func claim(_ recipient: String, owner: String, at: Int64, until: Int64, instant: Int64 = 3) -> SettingsCommand {
        .claimScheduleDelivery(.init(scheduleId: "sch_1", scheduledAtMillis: instant, recipient: recipient, owner: owner, atMillis: at, untilMillis: until))
    }

    static func outcome(_ recipient: String, owner: String, _ state: ScheduleDelivery.State, detail: String, next: Int64? = nil, at: Int64 = 5) -> SettingsCommand {
        .recordScheduleDelivery(.init(scheduleId: "sch_1", scheduledAtMillis: 3, recipient: recipient, owner: owner, state: state, detail: detail,
                                      nextAttemptAtMillis: next, atMillis: at))
    }

    @Test("each schedule command encodes to its pinned JSON and decodes back to itself")
    func roundTrip() throws {
        let pinned: [(SettingsCommand, String)] = [
            (.createReportSchedule(Self.schedule(recipients: ["a@example.com"])),
             #"{"schedule":{"activeSinceMillis":1,"createdAtMillis":1,"createdByKeyId":"key_x","createdByKeyName":"ops","cron":"0 8 * * 1","enabled":true,"format":"pdf","id":"sch_1","includeCharts":true,"period":"previous_week","recipients":["a@example.com"],"sectionLimits":{},"sections":["usage_summary"],"timeZone":"America/New_York","title":"Weekly","type":"usage","updatedAtMillis":1,"userId":"tenant-1","version":1},"type":"createReportSchedule"}"#),
            (.deleteReportSchedule(id: "sch_1", deletedAtMillis: 2), #"{"deletedAtMillis":2,"scheduleId":"sch_1","type":"deleteReportSchedule"}"#),
            (.recordScheduleRun(Self.running(at: 3, recipients: ["a@example.com"])),
             #"{"run":{"atMillis":3,"recipients":["a@example.com"],"reportId":"rpt_1","scheduleId":"sch_1","scheduledAtMillis":3,"state":"running","trigger":"cron"},"type":"recordScheduleRun"}"#),
            (Self.claim("a@example.com", owner: "tally-1234-ab12", at: 4, until: 94),
             #"{"claim":{"atMillis":4,"owner":"tally-1234-ab12","recipient":"a@example.com","scheduleId":"sch_1","scheduledAtMillis":3,"untilMillis":94},"type":"claimScheduleDelivery"}"#),
            (Self.outcome("a@example.com", owner: "tally-1234-ab12", .sent, detail: "250 OK"),
             #"{"delivery":{"atMillis":5,"detail":"250 OK","owner":"tally-1234-ab12","recipient":"a@example.com","scheduleId":"sch_1","scheduledAtMillis":3,"state":"sent"},"type":"recordScheduleDelivery"}"#),
            (.finishScheduleRun(.init(scheduleId: "sch_1", scheduledAtMillis: 3, state: .sent, reason: nil, atMillis: 6)),
             #"{"finish":{"atMillis":6,"scheduleId":"sch_1","scheduledAtMillis":3,"state":"sent"},"type":"finishScheduleRun"}"#),
        ]
        for (command, json) in pinned {
            #expect(command.json() == json)
            #expect(try SettingsCommand.decode(json: json) == command)
        }
    }

    @Test("a run of (schedule, instant) is recorded once: a second record of it is refused and changes nothing")
    func runIdentity() async throws {
        let store = try SettingsStore()
        try store.apply(.createReportSchedule(Self.schedule()))
        try store.apply(all: [.recordScheduleRun(Self.running(at: 3)), .createReportJob(Self.job("rpt_1"))])
        #expect(throws: SettingsError.self) { try store.apply(all: [.recordScheduleRun(Self.running(at: 3, report: "rpt_2")), .createReportJob(Self.job("rpt_2"))]) }
        do {
            try store.apply(.recordScheduleRun(Self.running(at: 3, report: "rpt_3")))
        } catch {
            #expect(error.code == .scheduleRunExists)
        }
        #expect(try await store.reportJob(id: "rpt_2") == nil, "the refused run's job was not kept either")
        let runs = try await store.scheduleRuns(scheduleId: "sch_1", limit: 10, offset: 0)
        #expect(runs.total == 1 && runs.items.first?.reportId == "rpt_1")
        #expect(runs.items.first?.deliveries.map(\.recipient) == ["a@example.com", "b@example.com"])
        #expect(throws: SettingsError.self, "a skipped instant needs a reason") {
            try store.apply(.recordScheduleRun(.init(scheduleId: "sch_1", scheduledAtMillis: 9, trigger: .cron, state: .skipped, reportId: nil, recipients: [], atMillis: 9)))
        }
    }

    @Test("a delivery is claimed by one owner until its lease ends; a sent one is never claimed again; only its holder records it")
    func claims() async throws {
        let store = try SettingsStore()
        try store.apply(.createReportSchedule(Self.schedule()))
        try store.apply(all: [.recordScheduleRun(Self.running(at: 3)), .createReportJob(Self.job("rpt_1"))])
        try store.apply(Self.claim("a@example.com", owner: "p1", at: 10, until: 100))
        #expect(throws: SettingsError.self, "held by p1 until 100") { try store.apply(Self.claim("a@example.com", owner: "p2", at: 50, until: 150)) }
        #expect(throws: SettingsError.self, "p2 holds no claim") { try store.apply(Self.outcome("a@example.com", owner: "p2", .sent, detail: "250 OK")) }
        // p1 died holding it: after the lease, p2 takes it over (the one delivery that may be sent twice).
        try store.apply(Self.claim("a@example.com", owner: "p2", at: 101, until: 200))
        try store.apply(Self.outcome("a@example.com", owner: "p2", .sent, detail: "250 OK"))
        #expect(throws: SettingsError.self, "a sent delivery is not claimed again") { try store.apply(Self.claim("a@example.com", owner: "p1", at: 300, until: 400)) }
        try store.apply(Self.claim("b@example.com", owner: "p1", at: 10, until: 100))
        try store.apply(Self.outcome("b@example.com", owner: "p1", .pending, detail: "unreachable", next: 40))
        #expect(throws: SettingsError.self, "a pending delivery needs its next attempt") {
            try store.apply(Self.outcome("b@example.com", owner: "p1", .pending, detail: "unreachable"))
        }
        let run = try #require(try await store.scheduleRun(scheduleId: "sch_1", scheduledAtMillis: 3))
        let a = try #require(run.deliveries.first { $0.recipient == "a@example.com" }), b = try #require(run.deliveries.first { $0.recipient == "b@example.com" })
        #expect(a.state == .sent && a.attempts == 2 && a.reply == "250 OK" && a.claimedBy == nil)
        #expect(b.state == .pending && b.attempts == 1 && b.error == "unreachable" && b.nextAttemptAtMillis == 40)
    }

    @Test("a run finishes once, sent, partially_sent or failed; failed ones are counted by when they finished")
    func finishing() async throws {
        let store = try SettingsStore()
        try store.apply(.createReportSchedule(Self.schedule()))
        try store.apply(all: [.recordScheduleRun(Self.running(at: 3)), .createReportJob(Self.job("rpt_1"))])
        #expect(throws: SettingsError.self) { try store.apply(.finishScheduleRun(.init(scheduleId: "sch_1", scheduledAtMillis: 3, state: .running, reason: nil, atMillis: 5))) }
        try store.apply(.finishScheduleRun(.init(scheduleId: "sch_1", scheduledAtMillis: 3, state: .failed, reason: "no recipient reached", atMillis: 1_000)))
        #expect(throws: SettingsError.self, "a finished run is not finished again") {
            try store.apply(.finishScheduleRun(.init(scheduleId: "sch_1", scheduledAtMillis: 3, state: .sent, reason: nil, atMillis: 1_001)))
        }
        #expect(throws: SettingsError.self, "a finished run's deliveries are not claimed") { try store.apply(Self.claim("a@example.com", owner: "p1", at: 1_002, until: 2_000)) }
        #expect(try await store.failedScheduleRunCount(sinceMillis: 1_000) == 1)
        #expect(try await store.failedScheduleRunCount(sinceMillis: 1_001) == 0)
        #expect(try await store.unfinishedScheduleRuns().isEmpty)
    }

    @Test("schedules: CR or LF in a title or recipient is refused; updates carry the next version; delete takes the runs with it")
    func scheduleRecords() async throws {
        let store = try SettingsStore()
        #expect(throws: SettingsError.self) { try store.apply(.createReportSchedule(Self.schedule(title: "Weekly\r\nBcc: x@evil.example"))) }
        #expect(throws: SettingsError.self) { try store.apply(.createReportSchedule(Self.schedule(recipients: ["a@example.com\nRCPT TO:<x@evil.example>"]))) }
        #expect(throws: SettingsError.self) { try store.apply(.createReportSchedule(Self.schedule(recipients: []))) }
        try store.apply(.createReportSchedule(Self.schedule()))
        #expect(throws: SettingsError.self) { try store.apply(.updateReportSchedule(Self.schedule(version: 3))) }
        try store.apply(.updateReportSchedule(Self.schedule(version: 2, title: "Weekly (v2)")))
        #expect(try await store.reportSchedule(id: "sch_1")?.title == "Weekly (v2)")
        try store.apply(all: [.recordScheduleRun(Self.running(at: 3)), .createReportJob(Self.job("rpt_1"))])
        try store.apply(.deleteReportSchedule(id: "sch_1", deletedAtMillis: 9))
        #expect(try await store.reportSchedule(id: "sch_1") == nil)
        #expect(try await store.scheduleRuns(scheduleId: "sch_1", limit: 10, offset: 0).total == 0)
        #expect(throws: SettingsError.self) { try store.apply(.deleteReportSchedule(id: "sch_1", deletedAtMillis: 10)) }
    }
}
