import Foundation
import Testing
import TallyDomain
import TallyStore
import TallyTestSupport

/// Snapshots copy rollups and offsets as one consistent state even while another handle writes,
/// restore bootstraps only an empty data directory, and nothing is ever overwritten.
@Suite("Store snapshots")
struct StoreSnapshotTests {
    static let end = Day(year: 2026, month: 5, day: 20)!
    static let topic = "events"
    static let batchSize = 100
    static let events = Array(TrafficGenerator(seed: 31, tenants: 3, days: 40, endDay: end, total: 8_000))

    /// Batch `index` of the stream, carrying the offset that follows its last event, the way ingest
    /// commits offsets with the rollups they produced.
    static func batch(_ index: Int) -> IngestBatch {
        let range = index * batchSize..<min(events.count, (index + 1) * batchSize)
        return IngestBatch(events: Array(events[range]), offsets: [PartitionOffset(topic: topic, partition: 0, nextOffset: Int64(range.upperBound))])
    }

    static var batchCount: Int { (events.count + batchSize - 1) / batchSize }

    static func temporaryPath(_ label: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("tally-snapshot-\(label)-\(UUID().uuidString)").path
    }

    /// Every report of the catalog for a grid of tenants, periods and end dates.
    static func everyReport(_ store: TallyStore) throws -> [ReportResult] {
        var results: [ReportResult] = []
        for tenant in ["tenant-1", "tenant-2", "tenant-3"] {
            for periodDays in [1, 7, 30] {
                for endDate in [end, end.advanced(by: -9), end.advanced(by: -25)] {
                    for report in ReportCatalog.all {
                        results.append(try store.report(report, tenant: tenant, window: ReportWindow(periodDays: periodDays, end: endDate)))
                    }
                }
            }
        }
        return results
    }

    /// The oracle's answers over the same grid, for the first `count` events.
    static func oracleReports(count: Int) -> [ReportOracle.Expected?] {
        let oracle = ReportOracle(events: Array(events.prefix(count)))
        var results: [ReportOracle.Expected?] = []
        for tenant in ["tenant-1", "tenant-2", "tenant-3"] {
            for periodDays in [1, 7, 30] {
                for endDate in [end, end.advanced(by: -9), end.advanced(by: -25)] {
                    for report in ReportCatalog.all {
                        results.append(oracle.expected(reportId: report.id, tenant: tenant, periodDays: periodDays, end: endDate))
                    }
                }
            }
        }
        return results
    }

    /// Opens a snapshot through a restore into a fresh directory, leaving the snapshot file as it was.
    static func openRestored(_ snapshot: String) throws -> TallyStore {
        let directory = temporaryPath("open")
        try TallyStore.restore(snapshot: snapshot, into: directory)
        return try TallyStore(dataDirectory: directory)
    }

    @Test("a snapshot taken while another handle keeps applying batches is consistent, and a quiet one equals the source")
    func snapshotWhileWriting() throws {
        let directory = Self.temporaryPath("source")
        let reader = try TallyStore(dataDirectory: directory)
        let writer = try TallyStore(dataDirectory: directory)
        for index in 0..<20 { try writer.apply(Self.batch(index), dedupeDays: 7) }

        // A second handle on the same file commits the rest of the stream on its own thread while
        // the first handle takes snapshots. Both sides block on purpose: a thread of their own keeps
        // them independent of the test runner's pool, where parallel tests could starve either.
        let progress = WriterProgress()
        let writerThread = Thread {
            do {
                // A pause between commits spreads them out, like ingest batches closing over time.
                for index in 20..<Self.batchCount {
                    try writer.apply(Self.batch(index), dedupeDays: 7)
                    Thread.sleep(forTimeInterval: 0.003)
                }
                progress.finish(nil)
            } catch {
                progress.finish(error)
            }
        }
        writerThread.start()
        var snapshots: [SnapshotInfo] = []
        let snapshotDirectory = TallyStore.snapshotDirectory(in: directory)
        while !progress.isFinished, snapshots.count < 40 {
            snapshots.append(try reader.snapshot(to: TallyStore.defaultSnapshotPath(dataDirectory: directory)))
        }
        while !progress.isFinished { Thread.sleep(forTimeInterval: 0.01) }
        #expect(progress.error == nil)

        // Each snapshot is one committed state: its rollups are exactly those of the events its
        // offsets say it consumed, never a batch half-applied.
        let midStream = snapshots.filter { (1..<Int64(Self.events.count)).contains($0.committedOffsetTotal) }
        #expect(!midStream.isEmpty, "no snapshot landed while the other handle was writing")
        for info in midStream.prefix(3) {
            #expect(info.offsets.count == 1)
            #expect(info.committedOffsetTotal % Int64(Self.batchSize) == 0)
            let restored = try Self.openRestored(info.path)
            #expect(try restored.consumedOffsets() == info.offsets)
            let actual = try Self.everyReport(restored).map { ReportOracle.Expected($0) }
            #expect(actual.agree(with: Self.oracleReports(count: Int(info.committedOffsetTotal)).map { $0! }), "snapshot at \(info.committedOffsetTotal)")
        }

        // Once writes stop, a snapshot answers every report exactly like the source.
        let quiet = try reader.snapshot(to: (snapshotDirectory as NSString).appendingPathComponent("quiet.sqlite"))
        #expect(quiet.committedOffsetTotal == Int64(Self.events.count))
        #expect(quiet.bytes > 0)
        let restored = try Self.openRestored(quiet.path)
        #expect(try restored.consumedOffsets() == reader.consumedOffsets())
        #expect(try Self.everyReport(restored) == Self.everyReport(reader))
        #expect(try restored.seenEventCount() == reader.seenEventCount())
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: snapshotDirectory).filter { $0.contains(".partial-") }
        #expect(leftovers.isEmpty)
        print("store-snapshot: \(snapshots.count) snapshots during writes, \(midStream.count) mid-stream, \(quiet.bytes) bytes when complete")
    }

    @Test("the async variant writes the same snapshot, and a cancelled one leaves no file behind")
    func asyncSnapshotAndCancellation() async throws {
        let directory = Self.temporaryPath("async")
        let store = try TallyStore(dataDirectory: directory)
        for index in 0..<10 { try store.apply(Self.batch(index), dedupeDays: 7) }
        let path = TallyStore.defaultSnapshotPath(dataDirectory: directory)
        let info = try await store.snapshot(to: path)
        #expect(info.offsets == (try store.consumedOffsets()))
        #expect(try TallyStore.inspectSnapshot(at: path) == info)

        // A shutdown cancels the task: the copy stops and its temporary file is removed.
        let cancelledPath = TallyStore.defaultSnapshotPath(dataDirectory: directory, at: Date().addingTimeInterval(1))
        let outcome = await withTaskGroup(of: Result<SnapshotInfo, StoreError>.self) { group in
            group.cancelAll()
            group.addTask {
                do throws(StoreError) { return .success(try await store.snapshot(to: cancelledPath)) } catch { return .failure(error) }
            }
            return await group.next()!
        }
        guard case .failure(let error) = outcome else {
            Issue.record("a cancelled snapshot completed")
            return
        }
        #expect(error.code == .snapshotFailed)
        #expect(!FileManager.default.fileExists(atPath: cancelledPath))
        let names = try FileManager.default.contentsOfDirectory(atPath: TallyStore.snapshotDirectory(in: directory))
        #expect(names == [(path as NSString).lastPathComponent])
    }

    @Test("restore bootstraps an empty data directory, which then resumes after the snapshot's offsets")
    func restoreIntoEmptyDirectory() throws {
        let source = try TallyStore(dataDirectory: Self.temporaryPath("source"))
        for index in 0..<25 { try source.apply(Self.batch(index), dedupeDays: 7) }
        let snapshot = Self.temporaryPath("file") + ".sqlite"
        let taken = try source.snapshot(to: snapshot)
        #expect(taken.committedOffsetTotal == Int64(25 * Self.batchSize))

        let target = Self.temporaryPath("target")
        #expect(!TallyStore.storeExists(in: target))
        let restoredInfo = try TallyStore.restore(snapshot: snapshot, into: target)
        #expect(restoredInfo.offsets == taken.offsets)
        #expect(restoredInfo.path == TallyStore.storePath(in: target))
        let restored = try TallyStore(dataDirectory: target)
        #expect(try restored.consumedOffsets() == source.consumedOffsets())
        // Rollups only: user-made state (settings.sqlite) is never part of a snapshot or a restore.
        #expect(try FileManager.default.contentsOfDirectory(atPath: target).allSatisfy { $0.hasPrefix(TallyStore.fileName) })

        // The tail after the snapshot's offsets completes the stream exactly, re-sends included.
        for index in 22..<Self.batchCount { try restored.apply(Self.batch(index), dedupeDays: 7) }
        let actual = try Self.everyReport(restored).map { ReportOracle.Expected($0) }
        #expect(actual.agree(with: Self.oracleReports(count: Self.events.count).map { $0! }))
        #expect(try restored.consumedOffset(topic: Self.topic, partition: 0) == Int64(Self.events.count))
        #expect(try TallyStore.inspectSnapshot(at: snapshot) == taken, "restoring must not change the snapshot")
    }

    @Test("restore refuses a data directory that already holds a store and leaves it untouched")
    func restoreRefusesExistingStore() throws {
        let source = try TallyStore(dataDirectory: Self.temporaryPath("source"))
        try source.apply(Self.batch(0))
        let snapshot = Self.temporaryPath("file") + ".sqlite"
        try source.snapshot(to: snapshot)

        let target = Self.temporaryPath("target")
        let existing = try TallyStore(dataDirectory: target)
        try existing.apply(Self.batch(1))
        let error = try #require(throws: StoreError.self) { try TallyStore.restore(snapshot: snapshot, into: target) }
        #expect(error.code == .storeExists)
        #expect(error.code.rawValue == "store_exists")
        #expect(try existing.consumedOffsets() == [PartitionOffset(topic: Self.topic, partition: 0, nextOffset: Int64(2 * Self.batchSize))])
        let names = try FileManager.default.contentsOfDirectory(atPath: target)
        #expect(!names.contains { $0.contains(".restoring-") })
    }

    @Test("restore refuses a missing, non-SQLite, empty, damaged or live file as a snapshot")
    func invalidSnapshotsAreRefused() throws {
        let scratch = Self.temporaryPath("invalid")
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        func path(_ name: String) -> String { (scratch as NSString).appendingPathComponent(name) }

        try Data("this is not a database, just text that goes on for a while".utf8).write(to: URL(fileURLWithPath: path("text.sqlite")))
        // An empty file is a valid, empty SQLite database: it opens, but it is not a Tally store.
        try Data().write(to: URL(fileURLWithPath: path("empty.sqlite")))

        // A real snapshot with pages overwritten in the middle.
        let source = try TallyStore(dataDirectory: path("source"))
        for index in 0..<6 { try source.apply(Self.batch(index)) }
        let damaged = path("damaged.sqlite")
        try source.snapshot(to: damaged)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: damaged))
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: size / 2)
        try handle.write(contentsOf: Data(repeating: 0xA5, count: 8192))
        try handle.close()

        // The live store file of a running instance, WAL beside it.
        let live = TallyStore.storePath(in: path("source"))

        for candidate in [path("missing.sqlite"), path("text.sqlite"), path("empty.sqlite"), damaged, live, scratch] {
            let target = path("target-\(UUID().uuidString)")
            let error = try #require(throws: StoreError.self, "\(candidate)") { try TallyStore.restore(snapshot: candidate, into: target) }
            #expect(error.code == .invalidSnapshot, "\(candidate): \(error)")
            #expect(!TallyStore.storeExists(in: target), "\(candidate) left a store behind")
        }
    }

    @Test("a snapshot never overwrites an existing file and leaves no partial file behind")
    func snapshotNeverOverwrites() throws {
        let directory = Self.temporaryPath("source")
        let store = try TallyStore(dataDirectory: directory)
        try store.apply(Self.batch(0))
        let target = (TallyStore.snapshotDirectory(in: directory) as NSString).appendingPathComponent("taken.sqlite")
        let first = try store.snapshot(to: target)
        try store.apply(Self.batch(1))

        let error = try #require(throws: StoreError.self) { try store.snapshot(to: target) }
        #expect(error.code == .snapshotExists)
        #expect(error.code.rawValue == "snapshot_exists")
        #expect(try TallyStore.inspectSnapshot(at: target) == first, "the existing snapshot changed")

        let unrelated = (directory as NSString).appendingPathComponent("notes.txt")
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: unrelated))
        #expect(throws: StoreError.self) { try store.snapshot(to: unrelated) }
        #expect(try String(contentsOfFile: unrelated, encoding: .utf8) == "keep me")

        let names = try FileManager.default.contentsOfDirectory(atPath: TallyStore.snapshotDirectory(in: directory))
        #expect(names == ["taken.sqlite"])
    }

    @Test("pruning keeps the newest snapshots by their timestamped names and nothing else is touched")
    func pruningKeepsNewest() throws {
        let directory = Self.temporaryPath("prune")
        let snapshots = TallyStore.snapshotDirectory(in: directory)
        try FileManager.default.createDirectory(atPath: snapshots, withIntermediateDirectories: true)
        let base = Date(timeIntervalSince1970: 1_780_000_000)
        let paths = (0..<5).map { TallyStore.defaultSnapshotPath(dataDirectory: directory, at: base.addingTimeInterval(Double($0) * 61.5)) }
        #expect(paths == paths.sorted(), "names must sort in time order")
        #expect((paths[0] as NSString).lastPathComponent == "tally-20260528T202640.000Z.sqlite")
        for path in paths.reversed() { try Data("x".utf8).write(to: URL(fileURLWithPath: path)) }
        let partial = paths[0] + ".partial-0000"
        try Data().write(to: URL(fileURLWithPath: partial))

        let removed = try TallyStore.pruneSnapshots(in: snapshots, keep: 2)
        #expect(removed == Array(paths.prefix(3)))
        let remaining = try FileManager.default.contentsOfDirectory(atPath: snapshots).sorted()
        #expect(remaining == ([paths[3], paths[4], partial].map { ($0 as NSString).lastPathComponent }).sorted())
        #expect(try TallyStore.pruneSnapshots(in: snapshots, keep: 2).isEmpty)
    }
}

/// Whether the concurrent writer has finished, and how, shared with the snapshotting test thread.
private final class WriterProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var finished = false
    private var failure: (any Error)?

    func finish(_ error: (any Error)?) { lock.withLock { finished = true; failure = error } }
    var isFinished: Bool { lock.withLock { finished } }
    var error: (any Error)? { lock.withLock { failure } }
}
