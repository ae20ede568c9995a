import ArgumentParser
import Foundation
import TallyDomain
import TallySettings
import TallyStore

/// `tally dead-letters`: see what ingest rejected and why, count what a newer contract accepts,
/// and prune old rejections. Every subcommand is safe while `tally serve` runs on the same store.
struct DeadLetters: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dead-letters",
        abstract: "List, replay and prune rejected events (dead letters).",
        discussion: """
            An event that breaks the contract is never counted and never stops ingest: it is kept in \
            the store with its topic, partition, offset, key, the first 64 KiB of its bytes and a \
            stable code (\(DeadLetterQuery.validCodes)). `tally serve` deletes dead letters after \
            --dead-letter-retention-days (default 30).
            """,
        subcommands: [List.self, Replay.self, Prune.self]
    )

    /// Parses `--code`, refusing anything that is not a code of the event contract.
    static func validateCode(_ code: String?) throws {
        if let code, DeadLetterQuery.code(code) == nil {
            throw ValidationError("--code '\(code)' is not a dead-letter code; use one of \(DeadLetterQuery.validCodes)")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show dead letters, newest first: what was rejected, where it came from and why.",
            discussion: """
                Columns: ID, RECEIVED (UTC), SOURCE (topic/partition/offset), CODE, BYTES (original \
                payload size), RESOLVED (when a replay counted it, or -), MESSAGE and PREVIEW (up to 120 \
                characters, non-printable ones escaped as \\n, \\t, \\u{…} or \\xHH; … when there is \
                more). \
                --json prints {"items": […], "counts": {code: n}} in the shape of \
                GET /api/v1/platform/dead-letters, with a 512-byte preview.
                """
        )

        @OptionGroup var store: StoreOptions

        @Option(help: "Only dead letters received at or after this: YYYY-MM-DD (midnight UTC) or an RFC 3339 date-time with offset.")
        var since: String?

        @Option(help: "Only dead letters with this code.")
        var code: String?

        @Option(help: "Show at most this many (1 to 10000).")
        var limit: Int = DeadLetterQuery.defaultLimit

        @Flag(help: "Also show dead letters that a replay has counted since.")
        var includeResolved = false

        @Flag(help: "Print JSON instead of a table.")
        var json = false

        func validate() throws {
            if let since, DeadLetterQuery.sinceMillis(since) == nil {
                throw ValidationError("--since must be \(DeadLetterQuery.sinceFormat)")
            }
            try DeadLetters.validateCode(code)
            let range = DeadLetterQuery.limitRange
            guard range.contains(limit) else { throw ValidationError("--limit must be from \(range.lowerBound) to \(range.upperBound)") }
        }

        func run() throws {
            let database = try TallyStore(dataDirectory: store.dataDirectory)
            let items = try database.storedDeadLetters(sinceMillis: since.flatMap(DeadLetterQuery.sinceMillis), code: code,
                                                       limit: limit, includeResolved: includeResolved)
            if json {
                struct Body: Encodable { var items: [StoredDeadLetter]; var counts: [String: Int] }
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                let body = Body(items: items, counts: try database.deadLetterCounts(includeResolved: includeResolved))
                print(String(decoding: try encoder.encode(body), as: UTF8.self))
                return
            }
            print("ID\tRECEIVED\tSOURCE\tCODE\tBYTES\tRESOLVED\tMESSAGE\tPREVIEW")
            for item in items {
                let letter = item.letter
                let message = StoredDeadLetter.printable(Array(letter.message.utf8), maximumCharacters: 200)
                print([
                    "\(item.id)", EventEncoder.timestamp(letter.receivedAtMillis), "\(letter.topic)/\(letter.partition)/\(letter.offset)",
                    letter.code, "\(letter.payloadBytes)", item.resolvedAtMillis.map(EventEncoder.timestamp) ?? "-", message,
                    item.printablePreview(),
                ].joined(separator: "\t"))
            }
            if items.count == limit {
                FileHandle.standardError.write(Data("showing the newest \(limit); raise --limit or narrow with --since/--code for more\n".utf8))
            }
        }
    }

    struct Replay: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Count unresolved dead letters that the current event contract accepts, exactly once.",
            discussion: """
                After a contract change, events rejected earlier may be valid. Replay decodes every \
                unresolved dead letter again with this build's rules; each chunk of 5000 that now \
                passes is counted and marked resolved in one transaction, so an interrupted replay \
                can simply be run again and a second replay counts nothing. Events already counted \
                for their tenant within --dedupe-days are skipped as duplicates (and resolved). Dead \
                letters whose payload was cut at the 64 KiB stored limit cannot be decoded: they are \
                skipped and reported as truncated. A missing_key dead letter is only replayed if a key \
                was stored. Those still invalid stay unresolved and unchanged. Safe while \
                `tally serve` runs on the same data directory; two replays at once are refused. \
                Prints {"examined", "nowValid", "counted", "duplicates", "stillInvalid", "truncated", \
                "dryRun"} as JSON.
                """
        )

        @OptionGroup var store: StoreOptions

        @Option(help: "Only replay dead letters with this code.")
        var code: String?

        @Flag(help: "Decode and report only; count and resolve nothing.")
        var dryRun = false

        /// The values `tally serve` uses, so that what passes now is what ingest would count.
        @OptionGroup var rules: EventRulesOptions

        func validate() throws {
            try DeadLetters.validateCode(code)
        }

        func run() throws {
            let database = try TallyStore(dataDirectory: store.dataDirectory)
            let lock = dryRun ? nil : try ReplayLock(dataDirectory: store.dataDirectory)
            defer { lock?.release() }
            let replayer = DeadLetterReplayer(store: database, decoder: EventDecoder(retentionDays: rules.retentionDays), dedupeDays: rules.dedupeDays)
            let summary: DeadLetterReplayer.Summary
            do {
                summary = try replayer.replay(code: code.flatMap(DeadLetterQuery.code), dryRun: dryRun)
            } catch {
                if !dryRun { try? audit(outcome: AuditOutcome.code(of: error)) }
                throw error
            }
            // A dry run changes nothing, so it is not an audited change.
            if !dryRun { try audit(outcome: AuditEntry.success) }
            if !summary.truncatedIds.isEmpty {
                let more = summary.truncated > summary.truncatedIds.count ? " and \(summary.truncated - summary.truncatedIds.count) more" : ""
                FileHandle.standardError.write(Data("""
                    skipped \(summary.truncated) truncated dead letter(s), payload cut at the stored limit: ids \
                    \(summary.truncatedIds.map(String.init).joined(separator: ", "))\(more)\n
                    """.utf8))
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(summary), as: UTF8.self))
        }

        /// The `dead_letters.replay` entry: the target is the code replayed, or `*` for every code.
        private func audit(outcome: String) throws {
            try AuditRecorder(settings: Keys.settings(store)).record(.deadLettersReplay, target: code ?? "*", outcome: outcome, context: .commandLine())
        }
    }

    struct Prune: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete dead letters received more than N days ago, resolved or not.",
            discussion: "`tally serve` does the same every 10 minutes with --dead-letter-retention-days; this is for operators who want it now."
        )

        @OptionGroup var store: StoreOptions

        @Option(help: "Delete dead letters received more than this many days ago; 0 deletes all (env TALLY_DEAD_LETTER_RETENTION_DAYS).")
        var olderThanDays: Int = Int(environment("TALLY_DEAD_LETTER_RETENTION_DAYS", "30")) ?? 30

        func validate() throws {
            guard (0...3650).contains(olderThanDays) else { throw ValidationError("--older-than-days must be from 0 to 3650") }
        }

        func run() throws {
            let cutoff = Int64(Date().timeIntervalSince1970 * 1000) - Int64(olderThanDays) * 86_400_000
            let deleted = try TallyStore(dataDirectory: store.dataDirectory).pruneDeadLetters(receivedBefore: cutoff)
            print("deleted \(deleted) dead letter(s) received before \(EventEncoder.timestamp(cutoff))")
        }
    }
}
