import GRDB

extension SettingsStore {
    /// The logged commands after `sequence`, oldest first, at most `limit` of them: where a
    /// replicator resumes publishing. Replayed into an empty store in this order they give this
    /// store's state.
    public func commands(after sequence: Int64 = 0, limit: Int = 1_000) throws(SettingsError) -> [LoggedCommand] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT seq, body, applied_at FROM commands WHERE seq > ? ORDER BY seq LIMIT ?",
                             arguments: [sequence, limit]).map { row in
                do throws(SettingsError) {
                    return LoggedCommand(sequence: row[0], command: try SettingsCommand.decode(json: row[1]), appliedAtMillis: row[2])
                } catch {
                    throw SettingsError(.corrupt, "logged command \(row[0] as Int64) cannot be read: \(error.message)")
                }
            }
        }
    }
}
