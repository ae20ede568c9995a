import Foundation
import Testing
import TallyDelivery
import TallyDomain
import TallySettings
import TallyTestSupport

/// The scheduler against a real SMTP server on loopback (aiosmtpd), real SQLite stores and the
/// real report job runner, on a clock the test moves. Received messages are read back by
/// Python's email package.
@Suite("Scheduled delivery", .serialized)
struct ScheduledDeliveryTests {
    @Test("a daily 02:30 New York schedule across both 2026 DST changes fires at the model's instants, once each, mailing each recipient once")
    func dstCrossingSchedule() async throws {
        let sink = try await OffPool.run { Result { try SMTPSink() } }.get()
        defer { sink.stop() }
        let zone = TimeZone(identifier: "America/New_York")!
        let clock = ManualClock("2026-03-06T12:00:00Z")
        let harness = try SchedulerHarness(clock: clock, smtpPort: sink.port)
        defer { harness.remove() }
        let recipients = ["ops@example.com", "cfo@example.com"]
        let schedule = try harness.createSchedule(cron: "30 2 * * *", timeZone: "America/New_York", recipients: recipients)
        // 01:30 happens twice on the fall-back day: it fires at the first.
        let overlap = try harness.createSchedule(cron: "30 1 * * *", timeZone: "America/New_York", recipients: ["night@example.com"])
        var overlapExpected: [Int64] = []

        var expected: [Int64] = []
        for (start, end) in [("2026-03-06T12:00:00Z", "2026-03-10T12:00:00Z"), ("2026-10-30T12:00:00Z", "2026-11-03T12:00:00Z")] {
            let from = RFC3339.epochMilliseconds(start)!, to = RFC3339.epochMilliseconds(end)!
            expected += WallClockModel.dailyFires(hour: 2, minute: 30, zone: zone, fromMillis: from, toMillis: to)
            overlapExpected += WallClockModel.dailyFires(hour: 1, minute: 30, zone: zone, fromMillis: from, toMillis: to)
            clock.set(from)
            // The second window starts months later: re-activate so the months between are not "missed".
            if start.hasPrefix("2026-10") {
                for id in [schedule.id, overlap.id] {
                    var moved = try #require(try await harness.settings.reportSchedule(id: id))
                    moved.version += 1
                    moved.activeSinceMillis = from
                    try harness.settings.apply(.updateReportSchedule(moved))
                }
            }
            while clock.nowMillis() < to {
                clock.advance(seconds: 1800)
                try await harness.settle()
            }
        }
        let runs = try await harness.runs(schedule.id)
        #expect(runs.map(\.scheduledAtMillis) == expected, "fires: \(runs.map { RFC3339.string(epochSeconds: $0.scheduledAtMillis / 1000) })")
        #expect(expected.contains(RFC3339.epochMilliseconds("2026-03-08T07:00:00Z")!), "the gap day fires at 03:00 EDT")
        #expect(expected.contains(RFC3339.epochMilliseconds("2026-11-01T07:30:00Z")!), "02:30 on the fall-back day is after the overlap: EST")
        let overlapRuns = try await harness.runs(overlap.id)
        #expect(overlapRuns.map(\.scheduledAtMillis) == overlapExpected)
        #expect(overlapExpected.contains(RFC3339.epochMilliseconds("2026-11-01T05:30:00Z")!)
                && !overlapExpected.contains(RFC3339.epochMilliseconds("2026-11-01T06:30:00Z")!), "01:30 fires at its first occurrence (EDT) only")
        #expect(runs.allSatisfy { $0.state == .sent }, "\(runs.map { "\($0.state) \($0.reason ?? "")" })")
        #expect(runs.allSatisfy { $0.lateByMillis == nil })

        let mail = try await OffPool.run { Result { try ReceivedMail.read(sink.messages()) } }.get()
        #expect(mail.count == expected.count * recipients.count + overlapExpected.count)
        let ids = mail.map(\.messageId)
        #expect(Set(ids).count == ids.count, "one message per (instant, recipient)")
        for instant in expected {
            for recipient in recipients {
                let id = "<\(ScheduledMailIdentity.messageId(scheduleId: schedule.id, instant: instant, recipient: recipient))>"
                #expect(mail.filter { $0.messageId == id && $0.to == recipient }.count == 1, "\(recipient) at \(instant)")
            }
        }
    }

    @Test("a recipient the server rejects is retried alone, with waits doubling from 30 s, until its retries run out; the run ends partially_sent")
    func rejectedRecipientRetriedAlone() async throws {
        let sink = try await OffPool.run { Result { try SMTPSink(rejecting: ["reject-*@example.com"]) } }.get()
        defer { sink.stop() }
        let clock = ManualClock("2026-06-01T07:59:00Z")
        let harness = try SchedulerHarness(clock: clock, smtpPort: sink.port, retries: 3)
        defer { harness.remove() }
        let schedule = try harness.createSchedule(cron: "0 8 * * *", timeZone: "UTC", recipients: ["a@example.com", "reject-b@example.com", "c@example.com"])
        clock.advance(seconds: 60)
        try await harness.settle()

        func delivery(_ recipient: String) async throws -> ScheduleDelivery {
            let run = try #require(try await harness.runs(schedule.id).last)
            return try #require(run.deliveries.first { $0.recipient == recipient })
        }
        #expect(sink.messages().count == 2)
        var rejected = try await delivery("reject-b@example.com")
        #expect(rejected.state == .pending && rejected.attempts == 1 && (rejected.error ?? "").contains("550"), "\(rejected)")
        #expect(rejected.nextAttemptAtMillis == clock.nowMillis() + 30_000)
        // Before the wait is over nothing is tried; then each retry waits twice as long.
        for wait: Int64 in [30, 60, 120] {
            clock.advance(seconds: wait - 1)
            await harness.scheduler.pass()
            #expect(try await delivery("reject-b@example.com").attempts == rejected.attempts, "tried before its wait of \(wait) s was over")
            clock.advance(seconds: 1)
            await harness.scheduler.pass()
            rejected = try await delivery("reject-b@example.com")
        }
        #expect(rejected.state == .failed && rejected.attempts == 4, "\(rejected)")
        let sentA = try await delivery("a@example.com"), sentC = try await delivery("c@example.com")
        #expect(sentA.attempts == 1 && sentC.attempts == 1, "a retry sent to a recipient already sent")
        #expect(sink.messages().count == 2)
        let run = try #require(try await harness.runs(schedule.id).last)
        #expect(run.state == .partiallySent)
        #expect((run.reason ?? "").contains("reject-b@example.com") && (run.reason ?? "").contains("550"), "\(run.reason ?? "")")
        #expect(try await harness.settings.failedScheduleRunCount(sinceMillis: 0) == 0)
        let audit = try harness.settings.auditEntries(AuditQuery(action: AuditAction.scheduleRun.rawValue)).items
        #expect(audit.map(\.entry.outcome) == ["partially_sent"])
    }

    @Test("the mail server down during a run: deliveries wait for their retry and all arrive once it is back")
    func serverDownThenBack() async throws {
        let port = FreePort.next()
        let clock = ManualClock("2026-06-01T07:59:30Z")
        let harness = try SchedulerHarness(clock: clock, smtpPort: port)
        defer { harness.remove() }
        let schedule = try harness.createSchedule(cron: "0 8 * * *", timeZone: "UTC", recipients: ["a@example.com", "b@example.com"])
        clock.advance(seconds: 30)
        try await harness.settle()
        var run = try #require(try await harness.runs(schedule.id).last)
        #expect(run.state == .running)
        #expect(run.deliveries.allSatisfy { $0.state == .pending && $0.attempts == 1 && ($0.error ?? "").contains("unreachable") }, "\(run.deliveries)")

        let sink = try await OffPool.run { Result { try SMTPSink(port: port) } }.get()
        defer { sink.stop() }
        clock.advance(seconds: 30)
        await harness.scheduler.pass()
        run = try #require(try await harness.runs(schedule.id).last)
        #expect(run.state == .sent && run.deliveries.allSatisfy { $0.state == .sent && $0.attempts == 2 }, "\(run)")
        #expect(sink.messages().count == 2)
    }

    @Test("after downtime the newest missed instant runs once, late, and the older ones are recorded skipped with the reason")
    func catchUpAfterDowntime() async throws {
        let sink = try await OffPool.run { Result { try SMTPSink() } }.get()
        defer { sink.stop() }
        let clock = ManualClock("2026-06-01T00:00:00Z")
        let harness = try SchedulerHarness(clock: clock, smtpPort: sink.port, catchUpMillis: 6 * 3_600_000)
        defer { harness.remove() }
        let hourly = try harness.createSchedule(cron: "0 * * * *", timeZone: "UTC", recipients: ["a@example.com"])
        // Ten instants (01:00 … 10:00) pass with no server running.
        clock.set(RFC3339.epochMilliseconds("2026-06-01T10:05:00Z")!)
        try await harness.settle()
        try await harness.settle()
        let runs = try await harness.runs(hourly.id)
        #expect(runs.count == 10)
        #expect(runs.dropLast().allSatisfy { $0.state == .skipped && ($0.reason ?? "").contains("a later instant ran instead") })
        let ran = try #require(runs.last)
        #expect(ran.scheduledAtMillis == RFC3339.epochMilliseconds("2026-06-01T10:00:00Z")! && ran.state == .sent && ran.lateByMillis == 300_000)
        #expect(sink.messages().count == 1, "a schedule that missed ten instants fires once")
        let mail = try await OffPool.run { Result { try ReceivedMail.read(sink.messages()) } }.get()
        #expect(mail.first?.text.contains("Sent late") == true)

        // Past the catch-up window nothing runs: every missed instant is skipped and says why.
        let daily = try harness.createSchedule(cron: "0 9 * * *", timeZone: "UTC", recipients: ["b@example.com"])
        clock.set(RFC3339.epochMilliseconds("2026-06-04T20:00:00Z")!)
        try await harness.settle()
        let missed = try await harness.runs(daily.id)
        #expect(missed.map(\.scheduledAtMillis) == ["2026-06-02T09:00:00Z", "2026-06-03T09:00:00Z", "2026-06-04T09:00:00Z"].map { RFC3339.epochMilliseconds($0)! })
        #expect(missed.allSatisfy { $0.state == .skipped && ($0.reason ?? "").contains("--schedule-catchup") }, "\(missed.map(\.reason))")
        #expect(sink.messages().count == 2, "the hourly schedule fired once more (at 20:00, the newest of its missed instants), the daily one never")
    }

    @Test("the message: text and HTML with the key figures, hostile text escaped, the report attached whole, or linked past the size limit")
    func messageContent() async throws {
        let sink = try await OffPool.run { Result { try SMTPSink() } }.get()
        defer { sink.stop() }
        let clock = ManualClock("2026-06-01T07:59:00Z")
        let harness = try SchedulerHarness(clock: clock, smtpPort: sink.port)
        defer { harness.remove() }
        let title = "<script>alert(1)</script> =HYPERLINK(\"x\") Résumé"
        let schedule = try harness.createSchedule(cron: "0 8 * * *", timeZone: "UTC", recipients: ["a@example.com"], title: title)
        clock.advance(seconds: 60)
        try await harness.settle()
        let run = try #require(try await harness.runs(schedule.id).last)
        #expect(run.state == .sent, "\(run.reason ?? "")")
        let reportId = try #require(run.reportId)
        let job = try #require(try await harness.settings.reportJob(id: reportId))
        let filePath = harness.runner.files.path(of: try #require(job.fileName))
        let fileSha = try await OffPool.run { Result { try ReceivedMail.sha256(ofFile: filePath) } }.get()
        let mail = try #require(try await OffPool.run { Result { try ReceivedMail.read(sink.messages()) } }.get().first)
        #expect(mail.contentType == "multipart/mixed")
        #expect(mail.from == "reports@tally.example" && mail.to == "a@example.com")
        #expect(mail.subject == "\(title): 2026-05-31", "the subject is the title and the period, unchanged")
        #expect(mail.attachmentType == "application/pdf" && mail.attachmentName?.hasSuffix("-2026-05-31-2026-05-31.pdf") == true, "\(mail)")
        #expect(mail.attachmentSha256 == fileSha, "the attachment is the report's file, byte for byte")
        #expect(!mail.html.contains("<script>") && mail.html.contains("&lt;script&gt;"), "the title is escaped in HTML")
        #expect(!job.headline.isEmpty)
        for figure in job.headline {
            #expect(mail.text.contains("\(figure.label): \(figure.value)"), "the text names \(figure.label)")
        }
        #expect(mail.defects.isEmpty, "\(mail.defects)")

        // Past --mail-attachment-max the mail links to the download instead.
        let small = try SchedulerHarness(clock: clock, smtpPort: sink.port, attachmentMaxBytes: 100)
        defer { small.remove() }
        let linked = try small.createSchedule(cron: "0 9 * * *", timeZone: "UTC", recipients: ["b@example.com"])
        clock.advance(seconds: 3600)
        try await small.settle()
        let linkedRun = try #require(try await small.runs(linked.id).last)
        let received = try await OffPool.run { Result { try ReceivedMail.read(sink.messages()) } }.get()
        let message = try #require(received.first { $0.to == "b@example.com" })
        #expect(message.attachmentName == nil)
        #expect(message.text.contains("https://tally.example/api/v1/reports/\(linkedRun.reportId ?? "?")/download"), "\(message.text)")
    }

    @Test("a run whose report is not ready within the report timeout fails, and counts among the failed runs of the last 24 h")
    func reportTimeout() async throws {
        let clock = ManualClock("2026-06-01T07:59:00Z")
        let harness = try SchedulerHarness(clock: clock, smtpPort: FreePort.next(), reportTimeoutMillis: 60_000, runWorkers: false)
        defer { harness.remove() }
        let schedule = try harness.createSchedule(cron: "0 8 * * *", timeZone: "UTC", recipients: ["a@example.com"])
        clock.advance(seconds: 60)
        await harness.scheduler.pass()
        #expect(try await harness.runs(schedule.id).last?.state == .running)
        clock.advance(seconds: 61)
        await harness.scheduler.pass()
        let run = try #require(try await harness.runs(schedule.id).last)
        #expect(run.state == .failed && (run.reason ?? "").contains("--report-timeout"), "\(run)")
        #expect(try await harness.settings.failedScheduleRunCount(sinceMillis: clock.nowMillis() - 86_400_000) == 1)
    }

    @Test("while this instance holds only part of the partitions no run starts; the due instant runs, late, once it holds them all")
    func waitsForCompleteAssignment() async throws {
        let sink = try await OffPool.run { Result { try SMTPSink() } }.get()
        defer { sink.stop() }
        let partial = PartialFlag()
        let clock = ManualClock("2026-06-01T07:59:00Z")
        let harness = try SchedulerHarness(clock: clock, smtpPort: sink.port, rollupRefusal: { partial.isSet ? "assigned events[0] but not events[1]" : nil })
        defer { harness.remove() }
        let schedule = try harness.createSchedule(cron: "0 8 * * *", timeZone: "UTC", recipients: ["a@example.com"])
        partial.set(true)
        clock.advance(seconds: 120)
        try await harness.settle()
        #expect(try await harness.runs(schedule.id).isEmpty, "a run started on figures that may be partial")
        partial.set(false)
        try await harness.settle()
        let runs = try await harness.runs(schedule.id)
        #expect(runs.count == 1 && runs.first?.state == .sent && runs.first?.lateByMillis == 60_000, "\(runs)")
    }

    @Test("two schedulers on one data directory, passing at the same moments, run each instant once and mail each recipient once")
    func twoProcessesShareTheDataDirectory() async throws {
        let sink = try await OffPool.run { Result { try SMTPSink() } }.get()
        defer { sink.stop() }
        let clock = ManualClock("2026-06-01T07:59:00Z")
        let first = try SchedulerHarness(clock: clock, smtpPort: sink.port)
        defer { first.remove() }
        let second = try SchedulerHarness(clock: clock, smtpPort: sink.port, directory: first.directory)
        let recipients = (1...5).map { "r\($0)@example.com" }
        let schedule = try first.createSchedule(cron: "*/10 * * * *", timeZone: "UTC", recipients: recipients)
        for _ in 0..<6 {
            clock.advance(seconds: 600)
            // The clock stands still until the instant is final: a busy machine must not push a
            // run past the report timeout, which the manual clock would count as its failure.
            let deadline = ContinuousClock.now + .seconds(60)
            while true {
                async let a: Void = first.scheduler.pass()
                async let b: Void = second.scheduler.pass()
                _ = await (a, b)
                if try await first.runs(schedule.id).allSatisfy({ $0.state.isFinal }) { break }
                guard ContinuousClock.now < deadline else { Issue.record("an instant did not finish within 60 s"); break }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        let runs = try await first.runs(schedule.id)
        #expect(runs.count == 6 && runs.allSatisfy { $0.state == .sent }, "\(runs.map(\.state))")
        let mail = try await OffPool.run { Result { try ReceivedMail.read(sink.messages()) } }.get()
        #expect(mail.count == 6 * recipients.count, "\(mail.count) messages")
        #expect(Set(mail.map(\.messageId)).count == mail.count, "a (schedule, instant, recipient) was mailed twice")
    }
}

final class PartialFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set(_ newValue: Bool) { lock.withLock { value = newValue } }
}

/// The Message-ID a delivery must carry, written out from its documented form rather than read
/// from the code: `schedule.<id>.<instant in s>.<first 16 hex of SHA-256(recipient)>@<sender's domain>`.
enum ScheduledMailIdentity {
    static func messageId(scheduleId: String, instant: Int64, recipient: String) -> String {
        "schedule.\(scheduleId).\(instant / 1000).\(SHA256.hex(Array(recipient.utf8)).prefix(16))@tally.example"
    }
}
