import ArgumentParser

/// The rules that decide whether an event counts, shared by every command that counts events
/// (`serve`, `rebuild`, `dead-letters replay`): each must use the values the live server uses, or
/// a replay would count what ingest rejected, or the other way round.
struct EventRulesOptions: ParsableArguments {
    @Option(help: "Skip an event whose id was already counted for its tenant within this many days of event time; 0 disables (env TALLY_DEDUPE_DAYS).")
    var dedupeDays: Int = Int(environment("TALLY_DEDUPE_DAYS", "7")) ?? 7

    @Option(help: "Reject events older than this many days (env TALLY_RETENTION_DAYS).")
    var retentionDays: Int = Int(environment("TALLY_RETENTION_DAYS", "400")) ?? 400

    func validate() throws {
        guard (0...3650).contains(dedupeDays) else { throw ValidationError("--dedupe-days must be from 0 (off) to 3650") }
        guard (1...36_500).contains(retentionDays) else { throw ValidationError("--retention-days must be from 1 to 36500") }
    }
}
