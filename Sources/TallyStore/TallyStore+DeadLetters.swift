import Foundation
import GRDB

extension TallyStore {
    /// Dead letters, newest first, optionally since a time and of one code.
    public func deadLetters(sinceMillis: Int64? = nil, code: String? = nil, limit: Int = 100) throws(StoreError) -> [DeadLetter] {
        try read { db in
            var sql = """
                SELECT id, topic, partition, offset, message_key, payload, payload_bytes, code, message, received_at
                FROM dead_letters WHERE 1 = 1
                """
            var arguments: [(any DatabaseValueConvertible)?] = []
            if let sinceMillis { sql += " AND received_at >= ?"; arguments.append(sinceMillis) }
            if let code { sql += " AND code = ?"; arguments.append(code) }
            sql += " ORDER BY id DESC LIMIT ?"
            arguments.append(limit)
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { row in
                var letter = DeadLetter(topic: row[1], partition: row[2], offset: row[3], key: (row[4] as Data?).map { Array($0) },
                                        payload: Array(row[5] as Data), code: row[7], message: row[8], receivedAtMillis: row[9])
                letter.id = row[0]
                letter.payloadBytes = row[6]
                return letter
            }
        }
    }

    /// How many dead letters there are, by code.
    public func deadLetterCounts() throws(StoreError) -> [String: Int] {
        try read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT code, COUNT(*) FROM dead_letters GROUP BY code").map {
                ($0[0] as String, $0[1] as Int)
            })
        }
    }
}
