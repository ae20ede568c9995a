import Testing
import TallyDomain

/// A replay trusted one stale partition-EOF and skipped the messages produced after it; the watch
/// must only believe a short log that stays short, by the newest watermark, for the grace period.
@Suite("Log end watch")
struct LogEndWatchTests {
    private let second: UInt64 = 1_000_000_000

    /// One look, outside `#expect`, which cannot take a mutating call.
    private func look<P: Hashable & Sendable>(_ watch: inout LogEndWatch<P>, _ partition: P, logEnd: Int64?, position: Int64, expected: Int64,
                                             now: UInt64) -> Bool {
        watch.observe(partition, logEnd: logEnd, position: position, expected: expected, now: now)
    }

    @Test("a log that reached the expected offset is never short, whatever an old EOF said")
    func grownLogIsNotShort() {
        var watch = LogEndWatch<Int>()
        // The reader is at 8000 (where an EOF event was queued); the newest fetch says the log
        // already holds 8100, the offset the live store reached.
        for tick in 0..<10 {
            #expect(!look(&watch, 0, logEnd: 8100, position: 8000, expected: 8100, now: UInt64(tick) * second))
        }
        #expect(!watch.isWatching)
    }

    @Test("a log that stays short for the grace period is believed, not before")
    func shortLogIsBelievedAfterGrace() {
        var watch = LogEndWatch<Int>()
        #expect(!look(&watch, 0, logEnd: 1380, position: 1380, expected: 4242, now: 10 * second))
        #expect(!look(&watch, 0, logEnd: 1380, position: 1380, expected: 4242, now: 11 * second))
        #expect(watch.isWatching)
        #expect(look(&watch, 0, logEnd: 1380, position: 1380, expected: 4242, now: 12 * second))
    }

    @Test("a reader still behind the log end, an unknown end, or a log that grows back resets the wait")
    func resets() {
        var watch = LogEndWatch<String>()
        _ = watch.observe("p", logEnd: 100, position: 100, expected: 200, now: 0)
        // Behind the end: the reader has messages left to read first.
        #expect(!look(&watch, "p", logEnd: 100, position: 50, expected: 200, now: 5 * second))
        #expect(!watch.isWatching)
        _ = watch.observe("p", logEnd: 100, position: 100, expected: 200, now: 6 * second)
        #expect(!look(&watch, "p", logEnd: nil, position: 100, expected: 200, now: 9 * second))
        _ = watch.observe("p", logEnd: 100, position: 100, expected: 200, now: 10 * second)
        #expect(!look(&watch, "p", logEnd: 150, position: 100, expected: 200, now: 11 * second), "the log grew past the reader")
        #expect(!look(&watch, "p", logEnd: 200, position: 100, expected: 200, now: 13 * second))
        #expect(!watch.isWatching)
    }

    @Test("partitions are watched independently, and forgetting one clears it")
    func independentPartitions() {
        var watch = LogEndWatch<Int>(graceNanoseconds: 2 * second)
        _ = watch.observe(0, logEnd: 10, position: 10, expected: 20, now: 0)
        _ = watch.observe(1, logEnd: 10, position: 10, expected: 20, now: second)
        #expect(look(&watch, 0, logEnd: 10, position: 10, expected: 20, now: 2 * second))
        #expect(!look(&watch, 1, logEnd: 10, position: 10, expected: 20, now: 2 * second))
        watch.forget(0)
        #expect(watch.shortSince[0] == nil && watch.shortSince[1] == 0 + second)
    }
}
