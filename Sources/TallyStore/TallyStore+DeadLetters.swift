import Foundation
import GRDB

extension TallyStore {
    /// Dead letters, newest first, optionally since a time and of one code; `includeResolved: false`
    /// leaves out those a replay has counted since.
    public func deadLetters(sinceMillis: Int64? = nil, code: String? = nil, limit: Int = 100,
                            includeResolved: Bool = true) throws(StoreError) -> [DeadLetter] {
        try storedDeadLetters(sinceMillis: sinceMillis, code: code, limit: limit, includeResolved: includeResolved).map(\.letter)
    }

    /// How many dead letters there are, by code; `includeResolved: false` counts only unresolved ones.
    public func deadLetterCounts(includeResolved: Bool = true) throws(StoreError) -> [String: Int] {
        try read { db in try Self.fetchDeadLetterCounts(db, includeResolved: includeResolved) }
    }
}
