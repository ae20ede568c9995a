import ArgumentParser

/// The rules that decide whether an event counts, shared by every command that counts events
/// (`serve`, `rebuild`, `dead-letters replay`): each must use the values the live server uses, or
/// a replay would count what ingest rejected, or the other way round.
struct EventRulesOptions: ParsableArguments {
    @Option(help: "Skip an event whose id was first counted for its tenant at most this many days before (by Kafka record time, whatever its occurredAt); 0 disables (env TALLY_DEDUPE_DAYS).")
    var dedupeDays: Int = Int(environment("TALLY_DEDUPE_DAYS", "7")) ?? 7

    @Option(help: "Reject events older than this many days before their Kafka record's timestamp (env TALLY_RETENTION_DAYS).")
    var retentionDays: Int = Int(environment("TALLY_RETENTION_DAYS", "400")) ?? 400

    func validate() throws {
        guard (0...3650).contains(dedupeDays) else { throw ValidationError("--dedupe-days must be from 0 (off) to 3650") }
        guard (1...36_500).contains(retentionDays) else { throw ValidationError("--retention-days must be from 1 to 36500") }
    }
}
