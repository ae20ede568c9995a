import Foundation
import Logging
import TallyMail
import TallySettings

/// Driving an unfinished run: its report, then each recipient's delivery, then its end.
extension ReportScheduler {
    func drive(_ run: ScheduleRun) async {
        let now = clock.nowMillis()
        do {
            // A deleted schedule takes its runs with it; nothing is left to drive.
            guard let schedule = try await settings.reportSchedule(id: run.scheduleId) else { return }
            guard let reportId = run.reportId, let job = try await settings.reportJob(id: reportId) else {
                try finish(schedule, run, .failed, reason: "its report job was deleted before the report was sent", at: now)
                return
            }
            switch job.state {
            case .pending, .running:
                // A job whose process died waiting is taken up here (the queue runs an id once).
                if job.state == .pending { runner.enqueue(job.id) }
                if now - run.createdAtMillis > configuration.reportTimeoutMillis {
                    try finish(schedule, run, .failed, reason: "the report was not ready within the report timeout of \(configuration.reportTimeoutMillis / 1000) s (--report-timeout)", at: now)
                }
                return
            case .failed:
                try finish(schedule, run, .failed, reason: "the report failed: \(job.error ?? "no reason recorded")", at: now)
                return
            case .completed:
                break
            }
            guard let sender else {
                try finish(schedule, run, .failed, reason: "no mail server is configured (--smtp-url)", at: now)
                return
            }
            var deliveries = run.deliveries
            for (index, delivery) in run.deliveries.enumerated() where delivery.state == .pending {
                // Shutting down: no new message is begun; the next start goes on from here.
                if Task.isCancelled { return }
                if let next = delivery.nextAttemptAtMillis, next > now { continue }
                if let holder = delivery.claimedBy, holder != owner, let until = delivery.claimUntilMillis, until > now { continue }
                deliveries[index] = try await deliver(delivery, of: run, schedule: schedule, job: job, sender: sender)
            }
            guard deliveries.allSatisfy({ $0.state != .pending }) else { return }
            let failed = deliveries.filter { $0.state == .failed }
            let reasons = failed.map { "\($0.recipient) (\($0.error ?? "failed"))" }.joined(separator: "; ")
            if failed.isEmpty {
                try finish(schedule, run, .sent, reason: nil, at: clock.nowMillis())
            } else if failed.count < deliveries.count {
                try finish(schedule, run, .partiallySent, reason: "not delivered to \(reasons)", at: clock.nowMillis())
            } else {
                try finish(schedule, run, .failed, reason: "not delivered to \(reasons)", at: clock.nowMillis())
            }
        } catch let error as SettingsError where error.code == .scheduleRunState || error.code == .deliveryClaimed {
            // Another process finished the run or holds a delivery meanwhile: its pass goes on.
        } catch {
            logger.error("a scheduled run could not be driven; the next pass tries again",
                         metadata: ["schedule": "\(run.scheduleId)", "instant": "\(Self.iso(run.scheduledAtMillis))", "error": "\(error)"])
        }
    }

    /// Claims, sends and records one delivery; returns it as it now stands.
    private func deliver(_ delivery: ScheduleDelivery, of run: ScheduleRun, schedule: ReportSchedule, job: ReportJob,
                         sender: SMTPSender) async throws -> ScheduleDelivery {
        let claimedAt = clock.nowMillis()
        let claim = ScheduleDelivery.Claim(scheduleId: run.scheduleId, scheduledAtMillis: run.scheduledAtMillis, recipient: delivery.recipient,
                                           owner: owner, atMillis: claimedAt, untilMillis: claimedAt + configuration.claimLeaseMillis)
        do {
            try settings.apply(.claimScheduleDelivery(claim))
        } catch {
            if error.code == .deliveryClaimed { return delivery }
            throw error
        }
        let attempt = delivery.attempts + 1
        let message: MailMessage
        do {
            message = try composeMessage(for: delivery.recipient, of: run, schedule: schedule, job: job, sender: sender, now: claimedAt)
        } catch {
            // The message cannot be made (the file is gone, an address no longer valid): no retry helps.
            return try record(delivery, of: run, .failed, detail: error.description, next: nil)
        }
        switch await BlockingCall.run({ Self.send(message, with: sender) }) {
        case .success(let reply):
            metrics?.messageSent()
            logger.info("a scheduled report was mailed", metadata: ["schedule": "\(run.scheduleId)", "recipient": "\(delivery.recipient)", "reply": "\(reply.text)"])
            return try record(delivery, of: run, .sent, detail: reply.text.isEmpty ? "\(reply.code)" : reply.text, next: nil)
        case .failure(let error):
            metrics?.deliveryFailed(code: error.code.rawValue)
            let retry = attempt <= configuration.retries
            let next = retry ? clock.nowMillis() + configuration.retryDelayMillis(afterAttempt: attempt) : nil
            logger.warning("a scheduled report could not be mailed", metadata: [
                "schedule": "\(run.scheduleId)", "recipient": "\(delivery.recipient)", "attempt": "\(attempt)", "error": "\(error)",
                "next": "\(next.map(Self.iso) ?? "none: no retries left")",
            ])
            return try record(delivery, of: run, retry ? .pending : .failed, detail: error.description, next: next)
        }
    }

    /// One SMTP exchange, blocking.
    private static func send(_ message: MailMessage, with sender: SMTPSender) -> Result<SMTPSender.Reply, MailError> {
        do { return .success(try sender.send(message)) } catch { return .failure(error) }
    }

    private func record(_ delivery: ScheduleDelivery, of run: ScheduleRun, _ state: ScheduleDelivery.State, detail: String,
                        next: Int64?) throws -> ScheduleDelivery {
        let now = clock.nowMillis()
        try settings.apply(.recordScheduleDelivery(ScheduleDelivery.Outcome(
            scheduleId: run.scheduleId, scheduledAtMillis: run.scheduledAtMillis, recipient: delivery.recipient, owner: owner, state: state,
            detail: detail, nextAttemptAtMillis: next, atMillis: now)))
        var updated = delivery
        updated.state = state
        updated.attempts += 1
        if state == .sent { updated.reply = detail } else { updated.error = detail }
        updated.nextAttemptAtMillis = next
        return updated
    }

    private func composeMessage(for recipient: String, of run: ScheduleRun, schedule: ReportSchedule, job: ReportJob, sender: SMTPSender,
                                now: Int64) throws(MailError) -> MailMessage {
        guard let fileName = job.fileName, let file = runner.files.read(fileName) else {
            throw MailError(.client, "the report's file is gone (deleted by the report retention?)")
        }
        let url = configuration.publicURL.trimmingSuffix("/") + "/api/v1/reports/\(job.id)/download"
        return try ScheduledMail.message(schedule: schedule, run: run, job: job, recipient: try MailAddress(recipient), from: sender.configuration.from,
                                         file: file, attachmentMaxBytes: configuration.attachmentMaxBytes, downloadURL: url, nowMillis: now)
    }

    /// Ends the run and audits it, in one transaction.
    func finish(_ schedule: ReportSchedule, _ run: ScheduleRun, _ state: ScheduleRun.State, reason: String?, at now: Int64) throws {
        let finish = ScheduleRun.Finish(scheduleId: run.scheduleId, scheduledAtMillis: run.scheduledAtMillis, state: state, reason: reason, atMillis: now)
        try settings.apply(all: [.finishScheduleRun(finish), .appendAudit(runAudit(schedule, instant: run.scheduledAtMillis, outcome: state.rawValue, at: now))])
        metrics?.runFinished(outcome: state.rawValue)
        var metadata: Logger.Metadata = ["schedule": "\(run.scheduleId)", "instant": "\(Self.iso(run.scheduledAtMillis))", "state": "\(state.rawValue)"]
        if let reason { metadata["reason"] = "\(reason)" }
        if state == .sent { logger.info("a scheduled run ended", metadata: metadata) } else { logger.warning("a scheduled run ended", metadata: metadata) }
    }
}

private extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        var text = self
        while text.hasSuffix(suffix) { text.removeLast(suffix.count) }
        return text
    }
}
