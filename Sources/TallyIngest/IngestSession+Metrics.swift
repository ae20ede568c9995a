import Foundation
import TallyKafka
import TallyMetrics
import TallyStore

/// What the session remembers of a batch between handing it to the writer and its commit, for
/// the metrics: taken from the batch it already holds, once per batch, never per message.
struct SubmittedBatchFigures {
    var offsets: [TopicPartition: Int64]
    var deadLetters: [CommittedBatch.DeadLetterKey: Int]
    var events: Int
    var newestEventMillis: Int64?
    var submittedAt: ContinuousClock.Instant

    init(batch: IngestBatch, offsets: [TopicPartition: Int64]) {
        self.offsets = offsets
        var letters: [CommittedBatch.DeadLetterKey: Int] = [:]
        for letter in batch.deadLetters { letters[CommittedBatch.DeadLetterKey(topic: letter.topic, code: letter.code), default: 0] += 1 }
        deadLetters = letters
        events = batch.events.count
        newestEventMillis = batch.events.lazy.map(\.occurredAtMillis).max()
        submittedAt = .now
    }
}

extension IngestSession {
    /// Reports one applied batch: matched to what was submitted by its offsets (the writer
    /// completes batches in the order they were submitted), with the records consumed per topic
    /// from how far each partition's committed offset advanced.
    func reportCommitted(_ offsets: [TopicPartition: Int64], counted: Int, duplicates: Int, before committed: [TopicPartition: Int64]) {
        guard let metrics else { return }
        var figures: SubmittedBatchFigures?
        while !submittedFigures.isEmpty {
            let first = submittedFigures.removeFirst()
            if first.offsets == offsets {
                figures = first
                break
            }
        }
        var consumed: [String: Int64] = [:]
        for (partition, offset) in offsets {
            let previous = committed[partition] ?? offset
            if offset > previous { consumed[partition.topic, default: 0] += offset - previous }
        }
        metrics.batchCommitted(CommittedBatch(
            consumedByTopic: consumed, deadLetters: figures?.deadLetters ?? [:], counted: counted, duplicates: duplicates,
            events: figures?.events ?? counted + duplicates, commitDuration: figures.map { ContinuousClock.now - $0.submittedAt } ?? .zero,
            newestEventMillis: figures?.newestEventMillis, committedAtMillis: Int64(Date().timeIntervalSince1970 * 1000)))
    }
}
