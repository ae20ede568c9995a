import Testing
import TallyDomain

/// `/healthz` says `caughtUp` to load balancers and to `tally rebuild`; it must never say so while a
/// partition's log ends before the offset the store holds (a recreated topic not yet re-read).
@Suite("Ingest status")
struct IngestStatusTests {
    private func status(_ pairs: [(committed: Int64, high: Int64?)]) -> IngestStatus {
        IngestStatus(state: "consuming", partitions: pairs.enumerated().map { index, pair in
            IngestStatus.Partition(topic: "t", partition: Int32(index), committedOffset: pair.committed, highWatermark: pair.high)
        })
    }

    @Test("caught up only when every partition is consumed exactly to its known high watermark")
    func caughtUp() {
        #expect(status([(10, 10), (0, 0)]).caughtUp)
        #expect(!status([(10, 12), (0, 0)]).caughtUp)
        #expect(!status([(10, nil)]).caughtUp)
        #expect(!status([]).caughtUp)
    }

    @Test("a log that ends before the stored offset shows negative lag and is not caught up")
    func logEndsBeforeStoredOffset() {
        let behind = status([(4242, 1380)])
        #expect(behind.partitions[0].lag == -2862)
        #expect(!behind.caughtUp)
    }
}
