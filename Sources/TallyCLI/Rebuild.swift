import ArgumentParser
import Foundation
import Logging
import TallyDomain
import TallyIngest
import TallyKafka
import TallySettings
import TallyStore

/// `tally rebuild`: replay the topics into a new store, verify it, and switch to it.
struct Rebuild: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rebuild the store by replaying the topics from their earliest offsets, verify it, and switch to it.",
        discussion: """
            Runs beside a live `tally serve` on the same --data-dir, or alone. The replay reads the \
            partitions the live store has consumed, by plain assignment: it never joins or commits to \
            the live consumer group. Once it has caught up, a running server pauses at a batch boundary, \
            the replay catches up to exactly the same offsets, and per-tenant, per-day checksums of every \
            rollup are compared. If they match (or with --force) the server switches to the new store at \
            once, and the old file is kept as <name>.previous (API keys live in settings.sqlite, which a \
            switch leaves untouched); if they differ, the differing tenants and \
            days are printed, nothing is switched, and the command exits with status 3. This is also how \
            a change of rollup definitions ships: the new version rebuilds, then switches.

            --tenant, --from-date and --to-date rebuild part of the store only: one tenant, a range of days \
            (each tenant's local days) (either bound may be given alone), or both. Kafka cannot filter, so the replay still reads \
            every partition from its beginning, but counts only the events of the scope (another tenant's \
            messages are skipped by their key, without decoding). A copy of the live store, taken while the \
            server is paused, then gets the rebuilt tenant-days in place of its own, and only those days \
            (and the Total Contacts of later days, which depend on them) are compared. Every other row is \
            kept as the live store has it (only the new-contact count of a later day follows a contact whose \
            first day moved): a date-scoped rebuild keeps every day outside its range, which is how history \
            older than the topics' retention survives a rebuild. Choose a range the topics still hold \
            entirely, or the rebuilt days will lack the events the topics have lost; --tenant alone replaces \
            every day of the tenant, so add --from-date when the topics no longer hold its whole history. \
            Every tenant keeps the time zone its rollups are in; `tally serve` itself rebuilds a tenant \
            into a new zone when one is set (`tally tenants set`).
            """
    )

    @OptionGroup var store: StoreOptions

    @Option(help: "Kafka bootstrap servers (env TALLY_BROKERS).")
    var brokers: String = environment("TALLY_BROKERS", "127.0.0.1:9092")

    @OptionGroup var client: KafkaPropertyOptions

    @Option(help: "Rebuild this tenant (userId) only.")
    var tenant: String?

    @Option(help: "Rebuild from this day (YYYY-MM-DD, each tenant's local day: UTC unless it set a time zone) on; days before it are kept as they are.")
    var fromDate: String?

    @Option(help: "Rebuild up to and including this day (YYYY-MM-DD, each tenant's local day); days after it are kept as they are.")
    var toDate: String?

    @Flag(help: "Switch even when the checksums differ.")
    var force = false

    /// The replay must count by the live server's rules, or the checksums differ.
    @OptionGroup var rules: EventRulesOptions

    func validate() throws {
        _ = try scope()
        guard FileManager.default.fileExists(atPath: StoreLocation(dataDirectory: store.dataDirectory).currentPath) else {
            throw ValidationError("no store in --data-dir \(store.dataDirectory): there is nothing to rebuild")
        }
    }

    /// The part of the store to rebuild; everything when no scope option is given.
    func scope() throws -> RebuildScope {
        if let tenant, tenant.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--tenant must name a userId; leave it out to rebuild every tenant")
        }
        func day(_ text: String?, _ option: String) throws -> Day? {
            guard let text else { return nil }
            guard let day = Day(iso: text) else { throw ValidationError("\(option) must be a date as YYYY-MM-DD (UTC), not '\(text)'") }
            return day
        }
        let scope = RebuildScope(tenant: tenant, firstDay: try day(fromDate, "--from-date"), lastDay: try day(toDate, "--to-date"))
        if let first = scope.firstDay, let last = scope.lastDay, last < first {
            throw ValidationError("--to-date \(last.iso) is before --from-date \(first.iso)")
        }
        return scope
    }

    func run() async throws {
        try LibrdkafkaVersion.requireSupported()
        var logger = Logger(label: "tally.rebuild")
        logger.logLevel = .notice
        let terminal = isatty(STDERR_FILENO) == 1
        let rebuilder = StoreRebuilder(
            brokers: brokers, dataDirectory: store.dataDirectory, scope: try scope(), force: force, dedupeDays: rules.dedupeDays,
            retentionDays: rules.retentionDays, consumerProperties: client.properties, logger: logger, progress: { Self.show($0, terminal: terminal) })
        // The replay blocks in librdkafka polls and SQLite writes: give it a thread of its own
        // rather than one of the few threads of Swift's cooperative pool.
        let outcome: StoreRebuilder.Outcome
        do {
            outcome = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<StoreRebuilder.Outcome, any Error>) in
                let thread = Thread { continuation.resume(with: Result { try rebuilder.run() }) }
                thread.name = "tally-rebuild"
                thread.start()
            }
        } catch {
            try? audit(outcome: AuditOutcome.code(of: error))
            throw error
        }
        if case .switched = outcome { try audit(outcome: AuditEntry.success) } else { try audit(outcome: "checksum_mismatch") }
        if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
        switch outcome {
        case let .switched(from, to, events, seconds, verified, differences):
            printJSON([
                "switched": true, "from": from, "to": to, "previous": from + ".previous", "events": events,
                "seconds": seconds, "eventsPerSecond": Double(events) / max(seconds, 0.001), "verified": verified,
                "differences": differences.count, "scope": scopeJSON,
            ])
        case let .mismatch(differences, rebuiltFile):
            for difference in differences.prefix(200) {
                FileHandle.standardError.write(Data("differs: userId \(difference.tenant) day \(difference.day.iso)\n".utf8))
            }
            printJSON(["switched": false, "rebuilt": rebuiltFile, "differences": differences.count, "scope": scopeJSON])
            throw ExitCode(3)
        }
    }

    /// The `store.rebuild` entry: the target is the scope (`all`, or `tenant=… from=… to=…`), the
    /// outcome `success` once switched, `checksum_mismatch` when nothing was switched.
    private func audit(outcome: String) throws {
        var parts: [String] = []
        if let tenant { parts.append("tenant=\(tenant)") }
        if let fromDate { parts.append("from=\(fromDate)") }
        if let toDate { parts.append("to=\(toDate)") }
        try AuditRecorder(settings: Keys.settings(store)).record(.storeRebuild, target: parts.isEmpty ? "all" : parts.joined(separator: " "),
                                                                userId: tenant, outcome: outcome, context: .commandLine())
    }

    /// The scope as JSON: null fields are left out, so a full rebuild shows `{}`.
    private var scopeJSON: [String: Any] {
        var json: [String: Any] = [:]
        if let tenant { json["userId"] = tenant }
        if let fromDate { json["fromDate"] = fromDate }
        if let toDate { json["toDate"] = toDate }
        return json
    }

    /// A progress bar on a terminal, plain lines elsewhere.
    static func show(_ progress: StoreRebuilder.Progress, terminal: Bool) {
        let position = progress.partitions.reduce(Int64(0)) { $0 + $1.position }
        let target = max(1, progress.partitions.reduce(Int64(0)) { $0 + $1.target })
        let percent = Int(min(100, position * 100 / target))
        let eta = progress.secondsRemaining.map { String(format: "%.0f s", $0) } ?? "?"
        let perPartition = progress.partitions.map { "\($0.partition) \($0.target == 0 ? 100 : min(100, $0.position * 100 / $0.target))%" }
        if terminal {
            let bar = String(repeating: "#", count: percent / 4) + String(repeating: ".", count: 25 - percent / 4)
            let line = "\r[\(bar)] \(percent)%  \(Int(progress.eventsPerSecond)) events/s  ETA \(eta)  \(perPartition.joined(separator: ", "))"
            FileHandle.standardError.write(Data(line.prefix(200).utf8))
        } else {
            FileHandle.standardError.write(Data("rebuild: \(percent)% of the live offsets, \(progress.events) events, \(Int(progress.eventsPerSecond))/s, ETA \(eta); \(perPartition.joined(separator: ", "))\n".utf8))
        }
    }
}
