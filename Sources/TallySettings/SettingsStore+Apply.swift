import Foundation
import GRDB
import TallyDomain

/// The one place where settings change.
///
/// A command is checked against the current state, its effect written, and the command itself
/// appended to the `commands` log, all in one transaction: the log and the state never disagree.
/// A rejected command changes nothing and is not logged, so the log replayed into an empty store
/// in `seq` order gives this store's state again. That is what a future replicator relies on: it
/// publishes the commands after the last `seq` it has sent (`commands(after:)`), and a receiving
/// instance applies them in order and remembers the last one it applied.
extension SettingsStore {
    /// Applies `command` and returns its sequence number in the log.
    @discardableResult
    public func apply(_ command: SettingsCommand) throws(SettingsError) -> Int64 {
        let now = Self.nowMillis()
        return try write { db in try Self.execute(command, in: db, appliedAtMillis: now) }
    }

    /// Applies `command` and appends `entry` to the audit log in the same transaction, so that a
    /// change is never kept without its entry nor recorded without having happened. A refused or
    /// failed command keeps nothing of itself; its entry is then appended alone, with the error's
    /// code as the outcome, and the error is thrown. (When the disk itself fails, that entry is
    /// lost with the change: there is nothing left to write it to.)
    @discardableResult
    public func apply(_ command: SettingsCommand, audited entry: AuditEntry) throws(SettingsError) -> Int64 {
        let now = Self.nowMillis()
        var entry = entry
        entry.outcome = AuditEntry.success
        do throws(SettingsError) {
            return try write { db in
                let sequence = try Self.execute(command, in: db, appliedAtMillis: now)
                _ = try Self.execute(.appendAudit(entry), in: db, appliedAtMillis: now)
                return sequence
            }
        } catch {
            entry.outcome = error.code.rawValue
            _ = try? write { db in try Self.execute(.appendAudit(entry), in: db, appliedAtMillis: now) }
            throw error
        }
    }

    /// Applies `commands` in order in one transaction: all of them, or (when one is refused) none.
    /// Each is logged on its own, so replaying the log gives the same state.
    @discardableResult
    public func apply(all commands: [SettingsCommand]) throws(SettingsError) -> Int64 {
        let now = Self.nowMillis()
        return try write { db in
            var last: Int64 = 0
            for command in commands { last = try Self.execute(command, in: db, appliedAtMillis: now) }
            return last
        }
    }

    /// Applies `command`, with its audit entry when there is one.
    @discardableResult
    func apply(_ command: SettingsCommand, audit entry: AuditEntry?) throws(SettingsError) -> Int64 {
        guard let entry else { return try apply(command) }
        return try apply(command, audited: entry)
    }

    /// Applies `commands` in one transaction, but only while this store holds no key at all;
    /// returns how many were applied (0 when a key existed).
    ///
    /// This is the upgrade import of keys an older version kept elsewhere. Processes that open an
    /// old data directory together each try it; SQLite runs their write transactions one after
    /// the other, so the first imports and the others find keys and apply nothing. The imported
    /// keys arrive as ordinary commands, so they are in the log like every other change.
    public func importKeys(_ commands: [SettingsCommand]) throws(SettingsError) -> Int {
        guard !commands.isEmpty else { return 0 }
        let now = Self.nowMillis()
        return try write { db in
            guard try !Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM api_keys)")! else { return 0 }
            for command in commands { _ = try Self.execute(command, in: db, appliedAtMillis: now) }
            return commands.count
        }
    }

    /// Checks `command`, writes its effect and logs it, inside the caller's transaction.
    static func execute(_ command: SettingsCommand, in db: Database, appliedAtMillis: Int64) throws -> Int64 {
        try validate(command)
        switch command {
        case let .createKey(id, name, role, userId, secretSha256, createdAtMillis):
            if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM api_keys WHERE id = ?)", arguments: [id])! {
                throw SettingsError(.keyExists, "a key with id '\(id)' exists already")
            }
            if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM api_keys WHERE key_hash = ?)", arguments: [secretSha256])! {
                throw SettingsError(.keyExists, "a key with this secret exists already")
            }
            try db.execute(sql: """
                INSERT INTO api_keys (id, name, role, user_id, key_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [id, name, role.rawValue, userId, secretSha256, createdAtMillis])
        case let .revokeKey(id, revokedAtMillis):
            guard let row = try Row.fetchOne(db, sql: "SELECT revoked_at FROM api_keys WHERE id = ?", arguments: [id]) else {
                throw SettingsError(.keyNotFound, "no key with id '\(id)'; `tally keys list` shows the ids")
            }
            if let revokedAt = row[0] as Int64? {
                throw SettingsError(.keyAlreadyRevoked, "key '\(id)' was revoked at \(Self.iso(revokedAt)) already")
            }
            try db.execute(sql: "UPDATE api_keys SET revoked_at = ? WHERE id = ?", arguments: [revokedAtMillis, id])
        case let .setTenantTimeZone(userId, timeZone, rebucketFrom, setAtMillis):
            try db.execute(sql: """
                INSERT OR REPLACE INTO tenant_time_zones (user_id, time_zone, rebucket_from, set_at) VALUES (?, ?, ?, ?)
                """, arguments: [userId, timeZone, rebucketFrom, setAtMillis])
        case let .appendAudit(entry):
            try appendAuditEntry(entry, in: db)
        case .createReportJob, .startReportJob, .completeReportJob, .failReportJob, .deleteReportJob:
            try executeReportJobCommand(command, in: db)
        case .createReportTemplate, .updateReportTemplate, .deleteReportTemplate:
            try executeReportTemplateCommand(command, in: db)
        case let .recordKeyUse(id, day, atMillis):
            try db.execute(sql: """
                INSERT INTO key_use_days (key_id, day, first_used_at) VALUES (?, ?, ?) ON CONFLICT (key_id, day) DO NOTHING
                """, arguments: [id, day, atMillis])
        case .createReportSchedule, .updateReportSchedule, .deleteReportSchedule, .recordScheduleRun, .claimScheduleDelivery,
             .recordScheduleDelivery, .finishScheduleRun:
            try executeScheduleCommand(command, in: db)
        }
        try db.execute(sql: "INSERT INTO commands (type, body, applied_at) VALUES (?, ?, ?)",
                       arguments: [command.type, command.json(), appliedAtMillis])
        return db.lastInsertedRowID
    }

    /// What a command must satisfy whatever the current state. Deliberately no stricter than what
    /// earlier versions stored, so every old key can be imported.
    private static func validate(_ command: SettingsCommand) throws(SettingsError) {
        switch command {
        case let .createKey(id, _, _, userId, secretSha256, _):
            guard !id.isEmpty, id.utf8.count <= 128 else { throw SettingsError(.invalidCommand, "a key id must be 1 to 128 bytes") }
            if let userId, !(1...128).contains(userId.count) {
                throw SettingsError(.invalidCommand, "userId must be 1 to 128 characters")
            }
            guard secretSha256.utf8.count == 64, secretSha256.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
                throw SettingsError(.invalidCommand, "secretSha256 must be 64 lowercase hex digits")
            }
        case let .revokeKey(id, _):
            guard !id.isEmpty else { throw SettingsError(.invalidCommand, "a key id must not be empty") }
        case let .setTenantTimeZone(userId, timeZone, rebucketFrom, _):
            guard Identifier.isValid(userId) else {
                throw SettingsError(.invalidCommand, "userId must be 1 to 128 characters without control characters")
            }
            guard LocalClock.isKnown(timeZone) else {
                throw SettingsError(.invalidCommand, "timeZone '\(timeZone.prefix(64))' is not an IANA time zone name such as Europe/Berlin or UTC")
            }
            if let rebucketFrom, Day(iso: rebucketFrom) == nil {
                throw SettingsError(.invalidCommand, "rebucketFrom must be a date as YYYY-MM-DD, not '\(rebucketFrom.prefix(32))'")
            }
        case let .appendAudit(entry):
            guard !entry.actor.id.isEmpty, !entry.action.rawValue.isEmpty, !entry.outcome.isEmpty else {
                throw SettingsError(.invalidCommand, "an audit entry needs an actor, an action and an outcome")
            }
        case .createReportJob, .startReportJob, .completeReportJob, .failReportJob, .deleteReportJob:
            try validateReportJobCommand(command)
        case .createReportTemplate(let record), .updateReportTemplate(let record):
            guard Identifier.isValid(record.id), record.userId.map(Identifier.isValid) ?? true, !record.name.isEmpty, !record.sections.isEmpty,
                  record.version >= 1, (1...366).contains(record.periodDays) else {
                throw SettingsError(.invalidCommand, "a report template needs an id, a name, sections, a version from 1 and period days from 1 to 366")
            }
        case .deleteReportTemplate(let id, _):
            guard Identifier.isValid(id) else { throw SettingsError(.invalidCommand, "a template id must be 1 to 128 characters without control characters") }
        case let .recordKeyUse(id, day, _):
            guard !id.isEmpty, id.utf8.count <= 128, Day(iso: day) != nil else {
                throw SettingsError(.invalidCommand, "a key use needs a key id and a day as YYYY-MM-DD")
            }
        case .createReportSchedule, .updateReportSchedule, .deleteReportSchedule, .recordScheduleRun, .claimScheduleDelivery,
             .recordScheduleDelivery, .finishScheduleRun:
            try validateScheduleCommand(command)
        }
    }

    /// The system clock in ms since the epoch: the time commands and audit entries carry.
    public static func nowMillis() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    private static func iso(_ millis: Int64) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(millis) / 1000))
    }
}
