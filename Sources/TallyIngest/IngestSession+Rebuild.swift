import Foundation
import TallyKafka
import TallyStore

extension IngestSession {
    /// Answers a concurrent `tally rebuild` through the control table, a few times a second: pause
    /// at a batch boundary, resume, and switch to the rebuilt store. (The rebuild knows that a
    /// server runs by the lock `tally serve` holds, `ServerPresence`.)
    func serviceControl() {
        do {
            guard let request = try store.control(RebuildControl.name)?.value else { return }
            switch request {
            case RebuildControl.pause where !paused:
                drain()
                pauseFetching()
                try store.setControl(RebuildControl.name, RebuildControl.paused)
                logger.info("paused for a rebuild to verify against this store")
            case RebuildControl.resume:
                resumeFetching()
                try store.setControl(RebuildControl.name, nil)
                logger.info("rebuild finished without a switch; ingest resumed")
            case let value where value.hasPrefix(RebuildControl.swapPrefix):
                try switchStore(to: String(value.dropFirst(RebuildControl.swapPrefix.count)))
            default:
                break
            }
        } catch {
            logger.warning("rebuild coordination failed", metadata: ["error": "\(error)"])
        }
    }

    /// Makes the rebuilt file the live store: requests and ingest move to it, the old file is kept
    /// as `<old>.previous`, and consumption continues from the new store's offsets (equal to the
    /// old ones, since the rebuild caught up to them while ingest was paused).
    private func switchStore(to fileName: String) throws {
        drain()
        guard let oldPath = store.path else { return }
        let location = StoreLocation(dataDirectory: (oldPath as NSString).deletingLastPathComponent)
        let oldName = (oldPath as NSString).lastPathComponent
        let replacement = try TallyStore(path: location.path(fileName))
        try store.checkpoint()
        try location.setCurrent(fileName)
        onStoreSwitch(replacement)
        writer.replaceStore(with: replacement)
        store = replacement
        // A rebuilt tenant may come with another zone: fold from now on by the new store's clocks.
        builder.clocks = replacement.tenantClocks
        try location.retire(oldName)
        var positions: [TopicPartition: Int64] = [:]
        for partition in committed.keys {
            let offset = try replacement.consumedOffset(topic: partition.topic, partition: partition.partition) ?? 0
            positions[partition] = offset
            committed[partition] = offset
        }
        if !positions.isEmpty { try consumer.seek(positions) }
        resumeFetching()
        try replacement.setControl(RebuildControl.name, RebuildControl.swapped)
        logger.info("switched to the rebuilt store", metadata: ["store": "\(fileName)", "previous": "\(oldName).previous"])
    }

    /// Stops fetching every assigned partition, for as long as a rebuild verifies.
    func pauseFetching() {
        paused = true
        consumer.pause(Array(committed.keys))
        pausedPartitions.formUnion(committed.keys)
    }

    /// Fetches again every partition this session paused, assigned now or not.
    func resumeFetching() {
        paused = false
        consumer.resume(Array(pausedPartitions))
        pausedPartitions = []
    }

    /// Brings a new assignment in line with `paused`.
    ///
    /// A rebalance can come in the middle of a rebuild's handshake: a server starved of CPU misses
    /// its group session and is revoked and assigned again. librdkafka keeps a partition's pause
    /// across that, so a resume asked for while nothing was assigned would leave it paused for
    /// ever; and a pause asked for while nothing was assigned finds no partition to pause, so the
    /// server would ingest while the rebuild compares. Each assignment is therefore paused or
    /// resumed here to match.
    func alignPause() {
        pauseNeedsAligning = false
        if paused {
            // Whether or not librdkafka kept the pause, pausing again is harmless.
            pauseFetching()
        } else if !pausedPartitions.isEmpty {
            resumeFetching()
        }
    }
}
