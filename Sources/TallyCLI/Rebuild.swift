import ArgumentParser
import Foundation
import Logging
import TallyIngest
import TallyKafka
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
            once, and the old file is kept as <name>.previous; if they differ, the differing tenants and \
            days are printed, nothing is switched, and the command exits with status 3. This is also how \
            a change of rollup definitions ships: the new version rebuilds, then switches.
            """
    )

    @OptionGroup var store: StoreOptions

    @Option(help: "Kafka bootstrap servers (env TALLY_BROKERS).")
    var brokers: String = environment("TALLY_BROKERS", "127.0.0.1:9092")

    @OptionGroup var client: KafkaPropertyOptions

    @Flag(help: "Switch even when the checksums differ.")
    var force = false

    @Option(help: "Dedupe window in days for the replay, as for serve (env TALLY_DEDUPE_DAYS).")
    var dedupeDays: Int = Int(environment("TALLY_DEDUPE_DAYS", "7")) ?? 7

    @Option(help: "Retention in days for the replay, as for serve (env TALLY_RETENTION_DAYS).")
    var retentionDays: Int = Int(environment("TALLY_RETENTION_DAYS", "400")) ?? 400

    func validate() throws {
        guard FileManager.default.fileExists(atPath: StoreLocation(dataDirectory: store.dataDirectory).currentPath) else {
            throw ValidationError("no store in --data-dir \(store.dataDirectory): there is nothing to rebuild")
        }
        guard (0...3650).contains(dedupeDays) else { throw ValidationError("--dedupe-days must be from 0 (off) to 3650") }
    }

    func run() async throws {
        try LibrdkafkaVersion.requireSupported()
        var logger = Logger(label: "tally.rebuild")
        logger.logLevel = .notice
        let terminal = isatty(STDERR_FILENO) == 1
        let rebuilder = StoreRebuilder(
            brokers: brokers, dataDirectory: store.dataDirectory, force: force, dedupeDays: dedupeDays,
            retentionDays: retentionDays, consumerProperties: client.properties, logger: logger, progress: { Self.show($0, terminal: terminal) })
        // The replay blocks in librdkafka polls and SQLite writes: give it a thread of its own
        // rather than one of the few threads of Swift's cooperative pool.
        let outcome = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<StoreRebuilder.Outcome, any Error>) in
            let thread = Thread { continuation.resume(with: Result { try rebuilder.run() }) }
            thread.name = "tally-rebuild"
            thread.start()
        }
        if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
        switch outcome {
        case let .switched(from, to, events, seconds, verified, differences):
            printJSON([
                "switched": true, "from": from, "to": to, "previous": from + ".previous", "events": events,
                "seconds": seconds, "eventsPerSecond": Double(events) / max(seconds, 0.001), "verified": verified,
                "differences": differences.count,
            ])
        case let .mismatch(differences, rebuiltFile):
            for difference in differences.prefix(200) {
                FileHandle.standardError.write(Data("differs: userId \(difference.tenant) day \(difference.day.iso)\n".utf8))
            }
            printJSON(["switched": false, "rebuilt": rebuiltFile, "differences": differences.count])
            throw ExitCode(3)
        }
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
