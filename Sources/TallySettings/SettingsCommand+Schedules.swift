import Foundation
import GRDB
import TallyDomain

/// Report schedules and their runs: the stable JSON of their commands, their checks and their
/// effect. Each carries one nested camelCase object (`ReportSchedule`, `ScheduleRun.Record`,
/// `ScheduleDelivery.Claim`, `ScheduleDelivery.Outcome` (as `delivery`), `ScheduleRun.Finish`):
///
/// ```json
/// {"schedule":{"activeSinceMillis":1,"createdAtMillis":1,"createdByKeyId":"key_x","createdByKeyName":"ops","cron":"0 8 * * 1","enabled":true,"format":"pdf","id":"sch_1","includeCharts":true,"period":"previous_week","recipients":["a@example.com"],"sectionLimits":{},"sections":["usage_summary"],"timeZone":"America/New_York","title":"Weekly","type":"usage","updatedAtMillis":1,"userId":"tenant-1","version":1},"type":"createReportSchedule"}
/// {"deletedAtMillis":2,"scheduleId":"sch_1","type":"deleteReportSchedule"}
/// {"run":{"atMillis":3,"recipients":["a@example.com"],"reportId":"rpt_1","scheduleId":"sch_1","scheduledAtMillis":3,"state":"running","trigger":"cron"},"type":"recordScheduleRun"}
/// {"claim":{"atMillis":4,"owner":"tally-1234-ab12","recipient":"a@example.com","scheduleId":"sch_1","scheduledAtMillis":3,"untilMillis":94},"type":"claimScheduleDelivery"}
/// {"delivery":{"atMillis":5,"detail":"250 OK","owner":"tally-1234-ab12","recipient":"a@example.com","scheduleId":"sch_1","scheduledAtMillis":3,"state":"sent"},"type":"recordScheduleDelivery"}
/// {"finish":{"atMillis":6,"scheduleId":"sch_1","scheduledAtMillis":3,"state":"sent"},"type":"finishScheduleRun"}
/// ```
extension SettingsCommand {
    static func decodeScheduleCommand(from container: KeyedDecodingContainer<CodingKeys>) throws -> SettingsCommand {
        switch try container.decode(Kind.self, forKey: .type) {
        case .createReportSchedule: .createReportSchedule(try container.decode(ReportSchedule.self, forKey: .schedule))
        case .updateReportSchedule: .updateReportSchedule(try container.decode(ReportSchedule.self, forKey: .schedule))
        case .deleteReportSchedule:
            .deleteReportSchedule(id: try container.decode(String.self, forKey: .scheduleId),
                                  deletedAtMillis: try container.decode(Int64.self, forKey: .deletedAtMillis))
        case .recordScheduleRun: .recordScheduleRun(try container.decode(ScheduleRun.Record.self, forKey: .run))
        case .claimScheduleDelivery: .claimScheduleDelivery(try container.decode(ScheduleDelivery.Claim.self, forKey: .claim))
        case .recordScheduleDelivery: .recordScheduleDelivery(try container.decode(ScheduleDelivery.Outcome.self, forKey: .delivery))
        case .finishScheduleRun: .finishScheduleRun(try container.decode(ScheduleRun.Finish.self, forKey: .finish))
        default: throw DecodingError.dataCorruptedError(forKey: .type, in: container, debugDescription: "not a schedule command")
        }
    }

    func encodeScheduleCommand(into container: inout KeyedEncodingContainer<CodingKeys>) throws {
        switch self {
        case .createReportSchedule(let schedule):
            try container.encode(Kind.createReportSchedule, forKey: .type)
            try container.encode(schedule, forKey: .schedule)
        case .updateReportSchedule(let schedule):
            try container.encode(Kind.updateReportSchedule, forKey: .type)
            try container.encode(schedule, forKey: .schedule)
        case let .deleteReportSchedule(id, deletedAtMillis):
            try container.encode(Kind.deleteReportSchedule, forKey: .type)
            try container.encode(id, forKey: .scheduleId)
            try container.encode(deletedAtMillis, forKey: .deletedAtMillis)
        case .recordScheduleRun(let record):
            try container.encode(Kind.recordScheduleRun, forKey: .type)
            try container.encode(record, forKey: .run)
        case .claimScheduleDelivery(let claim):
            try container.encode(Kind.claimScheduleDelivery, forKey: .type)
            try container.encode(claim, forKey: .claim)
        case .recordScheduleDelivery(let outcome):
            try container.encode(Kind.recordScheduleDelivery, forKey: .type)
            try container.encode(outcome, forKey: .delivery)
        case .finishScheduleRun(let finish):
            try container.encode(Kind.finishScheduleRun, forKey: .type)
            try container.encode(finish, forKey: .finish)
        default:
            preconditionFailure("not a schedule command: \(type)")
        }
    }
}

extension SettingsStore {
    static func validateScheduleCommand(_ command: SettingsCommand) throws(SettingsError) {
        switch command {
        case .createReportSchedule(let schedule), .updateReportSchedule(let schedule):
            guard Identifier.isValid(schedule.id), Identifier.isValid(schedule.userId), !schedule.title.isEmpty, !schedule.sections.isEmpty,
                  (1...ReportSchedule.maximumRecipients).contains(schedule.recipients.count), schedule.version >= 1,
                  LocalClock.isKnown(schedule.timeZone) else {
                throw SettingsError(.invalidCommand,
                                    "a schedule needs an id, a tenant, a title, sections, 1 to \(ReportSchedule.maximumRecipients) recipients, a known zone and a version from 1")
            }
            // Header injection is refused where it would start: no stored text reaches a header with a line break.
            let headerTexts = [schedule.title] + schedule.recipients
            // By scalar: "\r\n" is one Character, equal to neither "\r" nor "\n".
            guard headerTexts.allSatisfy({ !$0.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" }) }) else {
                throw SettingsError(.invalidCommand, "a schedule's title and recipients must not contain CR or LF")
            }
        case .deleteReportSchedule(let id, _):
            guard Identifier.isValid(id) else { throw SettingsError(.invalidCommand, "a schedule id must be 1 to 128 characters without control characters") }
        case .recordScheduleRun(let record):
            switch record.state {
            case .running:
                guard record.reportId != nil, !record.recipients.isEmpty else {
                    throw SettingsError(.invalidCommand, "a running schedule run needs its report job and its recipients")
                }
            case .skipped:
                guard record.reason != nil else { throw SettingsError(.invalidCommand, "a skipped schedule run needs a reason") }
            default:
                throw SettingsError(.invalidCommand, "a schedule run is recorded running or skipped, not \(record.state.rawValue)")
            }
        case .claimScheduleDelivery(let claim):
            guard !claim.owner.isEmpty, claim.untilMillis > claim.atMillis else {
                throw SettingsError(.invalidCommand, "a delivery claim needs an owner and a lease that ends after it starts")
            }
        case .recordScheduleDelivery(let outcome):
            guard outcome.state != .pending || outcome.nextAttemptAtMillis != nil else {
                throw SettingsError(.invalidCommand, "a delivery left pending needs the instant of its next attempt")
            }
        case .finishScheduleRun(let finish):
            guard [.sent, .partiallySent, .failed].contains(finish.state) else {
                throw SettingsError(.invalidCommand, "a schedule run finishes sent, partially_sent or failed, not \(finish.state.rawValue)")
            }
        default:
            break
        }
    }

    static func executeScheduleCommand(_ command: SettingsCommand, in db: Database) throws {
        switch command {
        case .createReportSchedule(let schedule):
            guard schedule.version == 1 else { throw SettingsError(.scheduleConflict, "a new schedule starts at version 1") }
            if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM report_schedules WHERE id = ?)", arguments: [schedule.id])! {
                throw SettingsError(.scheduleConflict, "a schedule with id '\(schedule.id)' exists already")
            }
            try db.execute(sql: "INSERT INTO report_schedules (id, user_id, body, version, created_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [schedule.id, schedule.userId, try ScheduleRows.body(schedule), schedule.version, schedule.createdAtMillis])
        case .updateReportSchedule(let schedule):
            guard let stored = try Int.fetchOne(db, sql: "SELECT version FROM report_schedules WHERE id = ?", arguments: [schedule.id]) else {
                throw SettingsError(.scheduleNotFound, "no schedule with id '\(schedule.id)'")
            }
            guard schedule.version == stored + 1 else {
                throw SettingsError(.scheduleConflict, "schedule '\(schedule.id)' is at version \(stored); an update must carry version \(stored + 1)")
            }
            try db.execute(sql: "UPDATE report_schedules SET body = ?, version = ? WHERE id = ?",
                           arguments: [try ScheduleRows.body(schedule), schedule.version, schedule.id])
        case let .deleteReportSchedule(id, _):
            try db.execute(sql: "DELETE FROM report_schedules WHERE id = ?", arguments: [id])
            guard db.changesCount == 1 else { throw SettingsError(.scheduleNotFound, "no schedule with id '\(id)'") }
            try db.execute(sql: "DELETE FROM schedule_deliveries WHERE schedule_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM schedule_runs WHERE schedule_id = ?", arguments: [id])
        case .recordScheduleRun(let record):
            guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM report_schedules WHERE id = ?)", arguments: [record.scheduleId])! else {
                throw SettingsError(.scheduleNotFound, "no schedule with id '\(record.scheduleId)'")
            }
            if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM schedule_runs WHERE schedule_id = ? AND scheduled_at = ?)",
                                 arguments: [record.scheduleId, record.scheduledAtMillis])! {
                throw SettingsError(.scheduleRunExists, "schedule '\(record.scheduleId)' has a run at \(record.scheduledAtMillis) already")
            }
            let finished: Int64? = record.state == .skipped ? record.atMillis : nil
            try db.execute(sql: """
                INSERT INTO schedule_runs (schedule_id, scheduled_at, trigger, state, report_id, late_by, reason, created_at, finished_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [record.scheduleId, record.scheduledAtMillis, record.trigger.rawValue, record.state.rawValue, record.reportId,
                                 record.lateByMillis, record.reason, record.atMillis, finished])
            guard record.state == .running else { return }
            for (position, recipient) in record.recipients.enumerated() {
                try db.execute(sql: """
                    INSERT INTO schedule_deliveries (schedule_id, scheduled_at, position, recipient, state, updated_at)
                    VALUES (?, ?, ?, ?, 'pending', ?) ON CONFLICT DO NOTHING
                    """, arguments: [record.scheduleId, record.scheduledAtMillis, position, recipient, record.atMillis])
            }
        case .claimScheduleDelivery(let claim):
            guard let row = try Row.fetchOne(db, sql: """
                SELECT d.state, d.claimed_by, d.claim_until, r.state AS run_state FROM schedule_deliveries d
                JOIN schedule_runs r ON r.schedule_id = d.schedule_id AND r.scheduled_at = d.scheduled_at
                WHERE d.schedule_id = ? AND d.scheduled_at = ? AND d.recipient = ?
                """, arguments: [claim.scheduleId, claim.scheduledAtMillis, claim.recipient]) else {
                throw SettingsError(.scheduleRunState, "no delivery to \(claim.recipient) in that run")
            }
            guard row["run_state"] as String == ScheduleRun.State.running.rawValue, row["state"] as String == ScheduleDelivery.State.pending.rawValue else {
                throw SettingsError(.deliveryClaimed, "the delivery to \(claim.recipient) is \(row["state"] as String) already")
            }
            if let owner = row["claimed_by"] as String?, owner != claim.owner, let until = row["claim_until"] as Int64?, until > claim.atMillis {
                throw SettingsError(.deliveryClaimed, "the delivery to \(claim.recipient) is held by \(owner) until \(until)")
            }
            try db.execute(sql: """
                UPDATE schedule_deliveries SET claimed_by = ?, claim_until = ?, attempts = attempts + 1, updated_at = ?
                WHERE schedule_id = ? AND scheduled_at = ? AND recipient = ?
                """, arguments: [claim.owner, claim.untilMillis, claim.atMillis, claim.scheduleId, claim.scheduledAtMillis, claim.recipient])
        case .recordScheduleDelivery(let outcome):
            guard let holder = try Row.fetchOne(db, sql: """
                SELECT claimed_by, state FROM schedule_deliveries WHERE schedule_id = ? AND scheduled_at = ? AND recipient = ?
                """, arguments: [outcome.scheduleId, outcome.scheduledAtMillis, outcome.recipient]) else {
                throw SettingsError(.scheduleRunState, "no delivery to \(outcome.recipient) in that run")
            }
            guard holder["state"] as String == ScheduleDelivery.State.pending.rawValue, holder["claimed_by"] as String? == outcome.owner else {
                throw SettingsError(.deliveryClaimed, "the delivery to \(outcome.recipient) is not held by \(outcome.owner)")
            }
            let sent = outcome.state == .sent
            try db.execute(sql: """
                UPDATE schedule_deliveries SET state = ?, reply = ?, error = ?, next_attempt_at = ?, claimed_by = NULL, claim_until = NULL, updated_at = ?
                WHERE schedule_id = ? AND scheduled_at = ? AND recipient = ?
                """, arguments: [outcome.state.rawValue, sent ? outcome.detail : nil, sent ? nil : outcome.detail, outcome.nextAttemptAtMillis,
                                 outcome.atMillis, outcome.scheduleId, outcome.scheduledAtMillis, outcome.recipient])
        case .finishScheduleRun(let finish):
            try db.execute(sql: """
                UPDATE schedule_runs SET state = ?, reason = ?, finished_at = ? WHERE schedule_id = ? AND scheduled_at = ? AND state = 'running'
                """, arguments: [finish.state.rawValue, finish.reason, finish.atMillis, finish.scheduleId, finish.scheduledAtMillis])
            guard db.changesCount == 1 else {
                throw SettingsError(.scheduleRunState, "schedule '\(finish.scheduleId)' has no running run at \(finish.scheduledAtMillis)")
            }
        default:
            preconditionFailure("not a schedule command: \(command.type)")
        }
    }
}
