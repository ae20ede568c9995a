import ArgumentParser
import Foundation
import TallySettings
import TallyStore

/// `tally snapshot`: consistent single-file copies of the store, safe while `tally serve` runs.
struct Snapshot: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Take consistent snapshots of the store while it serves and ingests.",
        discussion: """
            A snapshot holds the rollups and the consumed offsets that produced them, from one \
            committed state. Start a new instance from one with `tally serve --restore-from FILE`: it \
            then consumes only the events after the snapshot's offsets. API keys are not in it: they \
            live in settings.sqlite, which snapshots leave alone, so a restored instance needs keys \
            of its own (`tally keys create`).
            """,
        subcommands: [Create.self]
    )

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a snapshot and print its path and a JSON summary.",
            discussion: """
                Uses SQLite's VACUUM INTO inside one read transaction, so `tally serve` keeps ingesting \
                on the same --data-dir and is never blocked. The file is written under a temporary name, \
                fsynced, checked, and only then given its name, so a crash never leaves a partial \
                snapshot under the final name. An existing file is never overwritten (snapshot_exists). \
                Prints the path, then one JSON line: path, bytes, offsets (partitions), \
                committedOffsetTotal (sum of next offsets) and seconds.
                """
        )

        @OptionGroup var store: StoreOptions

        @Option(help: ArgumentHelp("Snapshot file to write; must not exist (default <data-dir>/snapshots/tally-<UTC timestamp>.sqlite).", valueName: "file"))
        var out: String?

        func run() throws {
            // Opening would create an empty store; a snapshot of nothing is a mistake worth naming.
            guard FileManager.default.fileExists(atPath: TallyStore.storePath(in: store.dataDirectory)) else {
                throw StoreError(.storeNotFound, "no store in --data-dir '\(store.dataDirectory)'; nothing to snapshot")
            }
            let database = try TallyStore(dataDirectory: store.dataDirectory)
            let path = out ?? TallyStore.defaultSnapshotPath(dataDirectory: store.dataDirectory)
            let started = ContinuousClock.now
            let info: SnapshotInfo
            do {
                info = try database.snapshot(to: path)
            } catch {
                _ = try? AuditRecorder(settings: Keys.settings(store)).record(.storeSnapshot, target: path, outcome: AuditOutcome.code(of: error),
                                                                        context: .commandLine())
                throw error
            }
            try AuditRecorder(settings: Keys.settings(store)).record(.storeSnapshot, target: info.path, context: .commandLine())
            let elapsed = ContinuousClock.now - started
            print(info.path)
            print(Self.summary(info, seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
        }

        /// The one-line JSON summary, keys sorted so scripts and diffs see a stable shape.
        static func summary(_ info: SnapshotInfo, seconds: Double) -> String {
            struct Summary: Encodable {
                var path: String
                var bytes: Int64
                var offsets: Int
                var committedOffsetTotal: Int64
                var seconds: Double
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let summary = Summary(path: info.path, bytes: info.bytes, offsets: info.offsets.count,
                                  committedOffsetTotal: info.committedOffsetTotal, seconds: (seconds * 1000).rounded() / 1000)
            return String(decoding: (try? encoder.encode(summary)) ?? Data("{}".utf8), as: UTF8.self)
        }
    }
}
