import GRDB

/// The audit log: appended by `appendAudit` commands, read and verified by plain queries.
extension SettingsStore {
    /// Appends `entry` through an `appendAudit` command and returns its record.
    @discardableResult
    public func appendAudit(_ entry: AuditEntry) throws(SettingsError) -> AuditRecord {
        let now = Self.nowMillis()
        return try write { db in try Self.append(entry, in: db, appliedAtMillis: now) }
    }

    /// The same, off the caller's thread: the write waits for SQLite's lock and an fsync.
    @discardableResult
    public func appendAuditAsync(_ entry: AuditEntry) async throws(SettingsError) -> AuditRecord {
        let now = Self.nowMillis()
        do {
            return try await writer.write { db in try Self.append(entry, in: db, appliedAtMillis: now) }
        } catch let error as SettingsError {
            throw error
        } catch {
            throw SettingsError(.writeFailed, "\(error)")
        }
    }

    private static func append(_ entry: AuditEntry, in db: Database, appliedAtMillis: Int64) throws -> AuditRecord {
        _ = try execute(.appendAudit(entry), in: db, appliedAtMillis: appliedAtMillis)
        return try auditRecords(db, sql: "SELECT \(auditColumns) FROM audit_log ORDER BY seq DESC LIMIT 1", arguments: [])[0]
    }

    /// One page of entries matching `query`, newest first, and how many match in all.
    public func auditEntries(_ query: AuditQuery) throws(SettingsError) -> AuditPage {
        try read { db in try Self.auditPage(db, query) }
    }

    /// The same, off the caller's thread, for HTTP handlers.
    public func auditEntriesAsync(_ query: AuditQuery) async throws(SettingsError) -> AuditPage {
        try await readAsync { db in try Self.auditPage(db, query) }
    }

    /// Walks the whole chain, oldest first, in one read transaction, and names the first entry
    /// that does not follow from the ones before it.
    public func verifyAudit() throws(SettingsError) -> AuditVerification {
        try read { db in
            var entries = 0
            var head = (sequence: Int64(0), hash: AuditChain.genesisHash)
            // In chunks, so a long log is walked in bounded memory.
            var after: Int64 = .min
            while true {
                let chunk = try Self.auditRecords(db, sql: "SELECT \(Self.auditColumns) FROM audit_log WHERE seq > ? ORDER BY seq LIMIT 10000",
                                                  arguments: [after])
                guard let last = chunk.last else { break }
                // The chain continues from the previous chunk's last entry.
                if let found = AuditChain.firstBreak(in: chunk, from: head.sequence + 1, previousHash: head.hash) {
                    // The head is the last entry that still follows from the ones before it.
                    let good = chunk.prefix { $0.sequence < found.sequence && $0.sequence > head.sequence }
                    if let last = good.last { head = (last.sequence, last.entryHash) }
                    return AuditVerification(entries: entries + good.count, headSequence: head.sequence, headHash: head.hash, firstBreak: found)
                }
                entries += chunk.count
                head = (last.sequence, last.entryHash)
                after = last.sequence
            }
            return AuditVerification(entries: entries, headSequence: head.sequence, headHash: head.hash, firstBreak: nil)
        }
    }

    /// Writes `entry` as the next link of the chain, inside the caller's transaction.
    static func appendAuditEntry(_ entry: AuditEntry, in db: Database) throws {
        let head = try Row.fetchOne(db, sql: "SELECT seq, entry_hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        let sequence: Int64 = (head?[0] as Int64? ?? 0) + 1
        let previousHash: String = head?[1] ?? AuditChain.genesisHash
        guard let hash = AuditChain.hash(previousHash: previousHash, sequence: sequence, entry: entry) else {
            throw SettingsError(.corrupt, "audit entry \(sequence - 1) has a malformed entry_hash; `tally audit verify` shows where the chain breaks")
        }
        try db.execute(sql: """
            INSERT INTO audit_log (seq, at, actor_id, actor_name, actor_role, user_id, action, target, outcome, request_id, remote_address,
                                   previous_hash, entry_hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [sequence, entry.atMillis, entry.actor.id, entry.actor.name, entry.actor.role, entry.userId, entry.action.rawValue,
                             entry.target, entry.outcome, entry.requestId, entry.remoteAddress, previousHash, hash])
    }

    private static let auditColumns = """
        seq, at, actor_id, actor_name, actor_role, user_id, action, target, outcome, request_id, remote_address, previous_hash, entry_hash
        """

    private static func auditPage(_ db: Database, _ query: AuditQuery) throws -> AuditPage {
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let since = query.sinceMillis { conditions.append("at >= ?"); arguments.append(since) }
        if let until = query.untilMillis { conditions.append("at < ?"); arguments.append(until) }
        if let action = query.action { conditions.append("action = ?"); arguments.append(action) }
        if let actor = query.actor { conditions.append("actor_id = ?"); arguments.append(actor) }
        if let userId = query.userId { conditions.append("user_id = ?"); arguments.append(userId) }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit_log \(filter)", arguments: StatementArguments(arguments)) ?? 0
        let items = try auditRecords(db, sql: "SELECT \(auditColumns) FROM audit_log \(filter) ORDER BY seq DESC LIMIT ? OFFSET ?",
                                     arguments: StatementArguments(arguments + [query.limit, query.offset]))
        return AuditPage(items: items, total: total, limit: query.limit, offset: query.offset)
    }

    private static func auditRecords(_ db: Database, sql: String, arguments: StatementArguments) throws -> [AuditRecord] {
        try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
            AuditRecord(
                sequence: row[0],
                entry: AuditEntry(atMillis: row[1], actor: AuditActor(id: row[2], name: row[3], role: row[4]), userId: row[5],
                                  action: AuditAction(rawValue: row[6]), target: row[7], outcome: row[8], requestId: row[9], remoteAddress: row[10]),
                previousHash: row[11], entryHash: row[12])
        }
    }
}
