import Foundation
import GRDB

extension TallyStore {
    /// Unresolved dead letters with an id above `afterId`, oldest first, optionally of one code.
    ///
    /// Paging by id rather than by offset keeps a replay correct while ingest adds new dead
    /// letters and the replay itself resolves old ones: every row is visited at most once.
    public func unresolvedDeadLetters(code: String? = nil, afterId: Int64 = 0, limit: Int) throws(StoreError) -> [StoredDeadLetter] {
        try read { db in
            var sql = "SELECT \(Self.deadLetterColumns) FROM dead_letters WHERE resolved_at IS NULL AND id > ?"
            var arguments: [(any DatabaseValueConvertible)?] = [afterId]
            if let code { sql += " AND code = ?"; arguments.append(code) }
            sql += " ORDER BY id LIMIT ?"
            arguments.append(limit)
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map(Self.storedDeadLetter)
        }
    }

    /// Dead letters, newest first, with their resolution: what operators list.
    public func storedDeadLetters(sinceMillis: Int64? = nil, code: String? = nil, limit: Int = DeadLetterQuery.defaultLimit,
                                  includeResolved: Bool = true) throws(StoreError) -> [StoredDeadLetter] {
        try read { db in try Self.fetchStoredDeadLetters(db, sinceMillis: sinceMillis, code: code, limit: limit, includeResolved: includeResolved) }
    }

    /// One listing page and the per-code counts, read from one snapshot off the caller's thread, so
    /// that an HTTP handler never blocks its event loop and the two halves agree.
    public func deadLetterListingAsync(sinceMillis: Int64?, code: String?, limit: Int, includeResolved: Bool)
        async throws(StoreError) -> (items: [StoredDeadLetter], counts: [String: Int]) {
        try await readAsync { db in
            let items = try Self.fetchStoredDeadLetters(db, sinceMillis: sinceMillis, code: code, limit: limit, includeResolved: includeResolved)
            return (items, try Self.fetchDeadLetterCounts(db, includeResolved: includeResolved))
        }
    }

    static let deadLetterColumns = "id, topic, partition, offset, message_key, payload, payload_bytes, code, message, received_at, resolved_at"

    static func fetchStoredDeadLetters(_ db: Database, sinceMillis: Int64?, code: String?, limit: Int,
                                       includeResolved: Bool) throws -> [StoredDeadLetter] {
        var sql = "SELECT \(deadLetterColumns) FROM dead_letters WHERE 1 = 1"
        var arguments: [(any DatabaseValueConvertible)?] = []
        if !includeResolved { sql += " AND resolved_at IS NULL" }
        if let sinceMillis { sql += " AND received_at >= ?"; arguments.append(sinceMillis) }
        if let code { sql += " AND code = ?"; arguments.append(code) }
        sql += " ORDER BY id DESC LIMIT ?"
        arguments.append(limit)
        return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map(storedDeadLetter)
    }

    static func fetchDeadLetterCounts(_ db: Database, includeResolved: Bool) throws -> [String: Int] {
        let sql = "SELECT code, COUNT(*) FROM dead_letters" + (includeResolved ? "" : " WHERE resolved_at IS NULL") + " GROUP BY code"
        return Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: sql).map { ($0[0] as String, $0[1] as Int) })
    }

    /// A row selected with `deadLetterColumns`.
    private static func storedDeadLetter(_ row: Row) -> StoredDeadLetter {
        var letter = DeadLetter(topic: row[1], partition: row[2], offset: row[3], key: (row[4] as Data?).map { Array($0) },
                                payload: Array(row[5] as Data), code: row[7], message: row[8], receivedAtMillis: row[9])
        letter.id = row[0]
        letter.payloadBytes = row[6]
        return StoredDeadLetter(id: row[0], letter: letter, resolvedAtMillis: row[10])
    }
}
