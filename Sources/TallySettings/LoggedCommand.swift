/// One entry of the command log: a command as applied, and where it stands in the history.
public struct LoggedCommand: Sendable, Equatable {
    /// Increases by one per applied command within this file and is never reused, so "every
    /// command after N" is a complete, ordered resume point.
    public var sequence: Int64
    public var command: SettingsCommand
    /// When this store applied it (the command's own times are inside it).
    public var appliedAtMillis: Int64

    public init(sequence: Int64, command: SettingsCommand, appliedAtMillis: Int64) {
        self.sequence = sequence
        self.command = command
        self.appliedAtMillis = appliedAtMillis
    }
}
