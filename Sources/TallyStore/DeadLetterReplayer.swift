import Foundation
import TallyDomain

/// Re-reads unresolved dead letters with the current decoder and counts the ones that now pass,
/// exactly once.
///
/// After a contract change (a new event type, a wider range) messages rejected earlier may be
/// valid. Each chunk of them is committed as one `IngestBatch` that carries both the events and
/// the ids of their dead letters, so counting and marking resolved are one transaction: a crash
/// leaves a chunk either wholly counted and resolved or untouched, and a second replay finds
/// nothing left to do. Dedupe (by tenant and event id) also catches an event that was re-sent and
/// counted by ingest in the meantime. It only writes through `TallyStore.apply`, so it is safe
/// while `tally serve` ingests into the same store from another process.
///
/// Two replays must not run at once on one store: both could read the same unresolved rows before
/// either commits. The CLI holds a lock file for that.
public struct DeadLetterReplayer: Sendable {
    /// What one replay saw and did. `examined` = `nowValid` + `stillInvalid` + `truncated`, and
    /// `nowValid` = `counted` + `duplicates` unless it was a dry run.
    public struct Summary: Sendable, Equatable, Encodable {
        /// Unresolved dead letters looked at.
        public var examined = 0
        /// Those the current decoder accepts.
        public var nowValid = 0
        /// Events folded into the rollups (0 in a dry run).
        public var counted = 0
        /// Events skipped because their id was already counted for the tenant (0 in a dry run).
        public var duplicates = 0
        /// Those still rejected, or with code `missing_key` and still no key; left unresolved.
        public var stillInvalid = 0
        /// Those whose payload was cut at the stored limit, so cannot be decoded; left unresolved.
        public var truncated = 0
        /// True when nothing was written.
        public var dryRun = false
        /// The ids of the first `truncatedIdLimit` truncated dead letters, for the operator to look at.
        public var truncatedIds: [Int64] = []

        public init() {}

        enum CodingKeys: String, CodingKey {
            case examined, nowValid, counted, duplicates, stillInvalid, truncated, dryRun
        }
    }

    /// Events committed per transaction: large enough to be fast, small enough that ingest never
    /// waits long for the write lock.
    public static let defaultChunkSize = 5_000
    /// Rows read per query; payloads can be 64 KiB each, so reads stay well under the chunk size.
    static let pageSize = 500
    static let truncatedIdLimit = 100

    public let store: TallyStore
    /// The decoder of this build: replaying exists to apply its rules to old rejections.
    public var decoder: EventDecoder
    /// The dedupe window passed to `TallyStore.apply`; use the same as `tally serve`.
    public var dedupeDays: Int
    public var chunkSize: Int

    public init(store: TallyStore, decoder: EventDecoder = EventDecoder(), dedupeDays: Int = 7, chunkSize: Int = defaultChunkSize) {
        self.store = store
        self.decoder = decoder
        self.dedupeDays = dedupeDays
        self.chunkSize = max(1, chunkSize)
    }

    /// Replays every unresolved dead letter (of `code`, when given). With `dryRun` it only decodes
    /// and reports what a replay would find.
    ///
    /// Each letter is judged (future events, retention) at the moment it was received, and counts
    /// as first seen then, not at the moment of the replay: a rebuild that replays the topic judges
    /// the same record by its timestamp, and the two must count alike.
    public func replay(code: EventRejection.Code? = nil, dryRun: Bool = false) throws(StoreError) -> Summary {
        var summary = Summary()
        summary.dryRun = dryRun
        var pending = IngestBatch()
        var afterId: Int64 = 0

        func flush() throws(StoreError) {
            guard !pending.isEmpty else { return }
            if !dryRun {
                let outcome = try store.apply(pending, dedupeDays: dedupeDays)
                summary.counted += outcome.counted
                summary.duplicates += outcome.duplicates
            }
            pending = IngestBatch()
        }

        while true {
            let page = try store.unresolvedDeadLetters(code: code?.rawValue, afterId: afterId, limit: Self.pageSize)
            guard let last = page.last else { break }
            afterId = last.id
            for stored in page {
                summary.examined += 1
                switch judge(stored) {
                case .truncated:
                    summary.truncated += 1
                    if summary.truncatedIds.count < Self.truncatedIdLimit { summary.truncatedIds.append(stored.id) }
                case .stillInvalid:
                    summary.stillInvalid += 1
                case .valid(let event):
                    summary.nowValid += 1
                    pending.events.append(event)
                    pending.seenAtMillis.append(stored.letter.receivedAtMillis)
                    pending.resolvedDeadLetterIds.append(stored.id)
                    if pending.events.count >= chunkSize { try flush() }
                }
            }
        }
        try flush()
        return summary
    }

    enum Verdict {
        case valid(Event)
        case stillInvalid
        case truncated
    }

    /// What the current rules say about one dead letter. Ingest rejects a message without a key
    /// before decoding it, so `missing_key` is only curable when a key was stored after all.
    func judge(_ stored: StoredDeadLetter) -> Verdict {
        guard stored.isComplete else { return .truncated }
        if stored.letter.code == EventRejection.Code.missingKey.rawValue, stored.letter.key?.isEmpty ?? true {
            return .stillInvalid
        }
        switch decoder.decode(stored.letter.payload, nowMillis: stored.letter.receivedAtMillis) {
        case .success(let event): return .valid(event)
        case .failure: return .stillInvalid
        }
    }
}
