import Foundation
import GRDB

/// Report schedules and their runs, read by plain queries.
extension SettingsStore {
    /// One schedule, or nil.
    public func reportSchedule(id: String) async throws(SettingsError) -> ReportSchedule? {
        try await readAsync { db in
            try String.fetchOne(db, sql: "SELECT body FROM report_schedules WHERE id = ?", arguments: [id]).map(ScheduleRows.schedule)
        }
    }

    /// One page of the schedules, oldest first (of one tenant when `userId` is given), and how many there are.
    public func reportSchedules(userId: String?, limit: Int, offset: Int) async throws(SettingsError) -> (items: [ReportSchedule], total: Int) {
        try await readAsync { db in
            let filter = userId == nil ? "" : "WHERE user_id = ?"
            let arguments: StatementArguments = userId.map { [$0] } ?? []
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM report_schedules \(filter)", arguments: arguments) ?? 0
            let items = try String.fetchAll(db, sql: "SELECT body FROM report_schedules \(filter) ORDER BY created_at, id LIMIT ? OFFSET ?",
                                            arguments: arguments + [limit, offset]).map(ScheduleRows.schedule)
            return (items, total)
        }
    }

    /// Every schedule, for the scheduler's pass.
    public func allReportSchedules() async throws(SettingsError) -> [ReportSchedule] {
        try await readAsync { db in try String.fetchAll(db, sql: "SELECT body FROM report_schedules ORDER BY id").map(ScheduleRows.schedule) }
    }

    /// Each schedule's newest instant of a cron run (run or skipped), by schedule id: where the
    /// search for its next fire continues. One query for all schedules, since the scheduler asks
    /// every second.
    public func lastCronInstants() async throws(SettingsError) -> [String: Int64] {
        try await readAsync { db in
            var instants: [String: Int64] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT schedule_id, MAX(scheduled_at) FROM schedule_runs WHERE trigger = 'cron' GROUP BY schedule_id") {
                instants[row[0]] = row[1]
            }
            return instants
        }
    }

    /// One run with its deliveries, or nil.
    public func scheduleRun(scheduleId: String, scheduledAtMillis: Int64) async throws(SettingsError) -> ScheduleRun? {
        try await readAsync { db in
            try Row.fetchOne(db, sql: "SELECT * FROM schedule_runs WHERE schedule_id = ? AND scheduled_at = ?", arguments: [scheduleId, scheduledAtMillis])
                .map { try ScheduleRows.run($0, db) }
        }
    }

    /// One page of a schedule's runs, newest first, with their deliveries, and how many there are.
    public func scheduleRuns(scheduleId: String, limit: Int, offset: Int) async throws(SettingsError) -> (items: [ScheduleRun], total: Int) {
        try await readAsync { db in
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM schedule_runs WHERE schedule_id = ?", arguments: [scheduleId]) ?? 0
            let items = try Row.fetchAll(db, sql: "SELECT * FROM schedule_runs WHERE schedule_id = ? ORDER BY scheduled_at DESC LIMIT ? OFFSET ?",
                                         arguments: [scheduleId, limit, offset]).map { try ScheduleRows.run($0, db) }
            return (items, total)
        }
    }

    /// The newest run of each of `scheduleIds`, for their `last_run`.
    public func lastScheduleRuns(_ scheduleIds: [String]) async throws(SettingsError) -> [String: ScheduleRun] {
        try await readAsync { db in
            var runs: [String: ScheduleRun] = [:]
            for id in scheduleIds {
                if let row = try Row.fetchOne(db, sql: "SELECT * FROM schedule_runs WHERE schedule_id = ? ORDER BY scheduled_at DESC LIMIT 1", arguments: [id]) {
                    runs[id] = try ScheduleRows.run(row, db, withDeliveries: false)
                }
            }
            return runs
        }
    }

    /// Every run not yet finished, oldest first, with its deliveries: what the scheduler drives.
    public func unfinishedScheduleRuns() async throws(SettingsError) -> [ScheduleRun] {
        try await readAsync { db in
            try Row.fetchAll(db, sql: "SELECT * FROM schedule_runs WHERE state = 'running' ORDER BY scheduled_at, schedule_id")
                .map { try ScheduleRows.run($0, db) }
        }
    }

    /// How many runs finished `failed` at or after `sinceMillis`: what `/healthz` and the metrics show.
    public func failedScheduleRunCount(sinceMillis: Int64) async throws(SettingsError) -> Int {
        try await readAsync { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM schedule_runs WHERE state = 'failed' AND finished_at >= ?", arguments: [sinceMillis]) ?? 0
        }
    }
}

/// Rows of the schedule tables to values.
enum ScheduleRows {
    static func body(_ schedule: ReportSchedule) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(schedule), as: UTF8.self)
    }

    static func schedule(_ body: String) throws -> ReportSchedule {
        do { return try JSONDecoder().decode(ReportSchedule.self, from: Data(body.utf8)) } catch {
            throw SettingsError(.corrupt, "a stored schedule cannot be read: \(error)")
        }
    }

    static func run(_ row: Row, _ db: Database, withDeliveries: Bool = true) throws -> ScheduleRun {
        let scheduleId: String = row["schedule_id"]
        let scheduledAt: Int64 = row["scheduled_at"]
        guard let trigger = ScheduleRun.Trigger(rawValue: row["trigger"]), let state = ScheduleRun.State(rawValue: row["state"]) else {
            throw SettingsError(.corrupt, "a stored run of schedule '\(scheduleId)' has an unknown trigger or state")
        }
        var run = ScheduleRun(scheduleId: scheduleId, scheduledAtMillis: scheduledAt, trigger: trigger, state: state, reportId: row["report_id"],
                              lateByMillis: row["late_by"], reason: row["reason"], createdAtMillis: row["created_at"], finishedAtMillis: row["finished_at"])
        guard withDeliveries else { return run }
        run.deliveries = try Row.fetchAll(db, sql: """
            SELECT * FROM schedule_deliveries WHERE schedule_id = ? AND scheduled_at = ? ORDER BY position
            """, arguments: [scheduleId, scheduledAt]).map { row in
            ScheduleDelivery(recipient: row["recipient"], state: ScheduleDelivery.State(rawValue: row["state"]) ?? .pending, attempts: row["attempts"],
                             reply: row["reply"], error: row["error"], nextAttemptAtMillis: row["next_attempt_at"], claimedBy: row["claimed_by"],
                             claimUntilMillis: row["claim_until"], updatedAtMillis: row["updated_at"])
        }
        return run
    }
}
