import Foundation
import TallyKafka
import TallyMetrics
import TallyStore

/// What the session notes of a batch when it hands it to the writer, for the metrics: taken from
/// the batch it already holds, once per batch, never per message, and handed back with the
/// batch's completion.
struct SubmittedBatchFigures {
    var deadLetters: [CommittedBatch.DeadLetterKey: Int]
    var events: Int
    var newestEventMillis: Int64?
    var submittedAt: ContinuousClock.Instant

    init(batch: IngestBatch) {
        var letters: [CommittedBatch.DeadLetterKey: Int] = [:]
        for letter in batch.deadLetters { letters[CommittedBatch.DeadLetterKey(topic: letter.topic, code: letter.code), default: 0] += 1 }
        deadLetters = letters
        events = batch.events.count
        newestEventMillis = batch.events.lazy.map(\.occurredAtMillis).max()
        submittedAt = .now
    }
}

extension IngestSession {
    /// Reports one applied batch, with the records consumed per topic from how far each
    /// partition's committed offset advanced.
    func reportCommitted(_ completion: BatchWriter.Completion, before committed: [TopicPartition: Int64]) {
        guard let metrics else { return }
        let figures = completion.figures, counted = completion.outcome.counted, duplicates = completion.outcome.duplicates
        var consumed: [String: Int64] = [:]
        for (partition, offset) in completion.offsets {
            let previous = committed[partition] ?? offset
            if offset > previous { consumed[partition.topic, default: 0] += offset - previous }
        }
        metrics.batchCommitted(CommittedBatch(
            consumedByTopic: consumed, deadLetters: figures?.deadLetters ?? [:], counted: counted, duplicates: duplicates,
            events: figures?.events ?? counted + duplicates, commitDuration: figures.map { ContinuousClock.now - $0.submittedAt } ?? .zero,
            newestEventMillis: figures?.newestEventMillis, committedAtMillis: Int64(Date().timeIntervalSince1970 * 1000),
            writerSecondsByStage: Dictionary(uniqueKeysWithValues: ApplyStage.allCases.map { ($0.name, completion.outcome.stageTimes.seconds($0)) })))
    }
}
