import Foundation
import GRDB
import TallyDomain

extension TallyStore {
    /// Applies one batch in a single transaction: dedupe, counters, first-seen contacts, hourly
    /// messages, conversation states and metrics, bitmaps, dead letters, offsets and the ingest's own figures. Either all of it is committed or none of it, so a crash at any
    /// instant leaves the store at a batch boundary that its offsets describe exactly.
    ///
    /// - Parameter dedupeDays: an event whose id was first seen for its tenant at most this many days
    ///   before this copy was seen (by the batch's `seenAtMillis`, whatever the event's
    ///   `occurredAt`) is skipped and counted as a duplicate; 0 disables dedupe.
    @discardableResult
    public func apply(_ batch: IngestBatch, dedupeDays: Int = 0) throws(StoreError) -> ApplyOutcome {
        guard !batch.isEmpty else { return ApplyOutcome() }
        var staged = StagedOrdinals()
        var ordinalGeneration = 0
        var times = ApplyStageTimes()
        var outcome: ApplyOutcome
        do { outcome = try write { db in
            try self.invalidateCacheIfChangedElsewhere(db)
            // Read inside the transaction: a reset by a later writer makes this batch's publish a no-op.
            ordinalGeneration = self.ordinalCache.currentGeneration
            // The store's clocks decide each tenant's days; a delta folded with others is folded again.
            let clocks = self.tenantClocks
            let fresh = dedupeDays > 0 ? try self.firstSightings(of: batch, windowMillis: Int64(dedupeDays) * 86_400_000, clocks: clocks, db: db) : batch.events
            times.lap(.dedupe)
            let folded = fresh.count == batch.events.count ? batch.delta.flatMap { $0.clocks == clocks ? $0 : nil } : nil
            let delta = folded ?? RollupDelta(folding: fresh, clocks: clocks)
            let conversations = delta.conversationsInKeyOrder()
            times.lap(.refold)
            var counters = delta.counters
            let ordinals = try self.resolveMembers(of: delta, counters: &counters, staged: &staged, statements: try MemberStatements(db))
            times.lap(.members)
            try self.upsertCounters(counters, db: db)
            try self.upsertHourly(delta.hourly, db: db)
            try self.insertNegativeRatings(delta.negativeRatings, db: db)
            times.lap(.counters)
            try self.applyConversations(conversations, clocks: clocks, db: db)
            times.lap(.conversations)
            try self.applyMembers(delta.members, ordinals: ordinals, db: db)
            times.lap(.bitmaps)
            try self.insertDeadLetters(batch.deadLetters, db: db)
            try self.resolveDeadLetters(batch.resolvedDeadLetterIds, db: db)
            try self.saveOffsets(batch.offsets, db: db)
            try self.saveSequences(staged.sequences, db: db)
            let duplicates = batch.events.count - fresh.count
            if duplicates > 0 { try self.addToTotal("duplicates", duplicates, db: db) }
            try self.recordIngestHealth(batch, fresh: fresh, nowMillis: Int64(Date().timeIntervalSince1970 * 1000), db: db)
            times.lap(.bookkeeping)
            return ApplyOutcome(counted: fresh.count, duplicates: duplicates)
        } } catch {
            // The members it cached were rolled back with it.
            ordinalCache.reset()
            throw error
        }
        times.lap(.commit)
        ordinalCache.publish(sequences: staged.sequences, generation: ordinalGeneration)
        times.lap(.publish)
        outcome.stageTimes = times
        addToStageTotals(times)
        return outcome
    }

    /// Another process (a dead-letter replay, `tally keys`) may have committed since this
    /// connection's last write; SQLite's data_version says so, and then cached ordinals and
    /// first-seen days may be stale, so they are dropped.
    private func invalidateCacheIfChangedElsewhere(_ db: Database) throws {
        let version = try Int64.fetchOne(db, sql: "PRAGMA data_version") ?? 0
        if ordinalCache.exchangeDataVersion(version) != version { ordinalCache.reset() }
    }

    /// The events whose (tenant, id) this store has not counted within the window, recording them
    /// as counted. Duplicates inside the batch are caught the same way, by the primary key.
    ///
    /// The window runs from the first sighting's record time, so a copy of a late event (sent
    /// again by a mobile client that buffered it) is caught however old its `occurredAt` is. A copy
    /// seen more than the window after the first counts again, and starts a new window. The rule
    /// depends only on record times, which is what lets a replay decide as the live server did.
    ///
    /// Copying events is measurable on the writer thread, so the usual batch with no re-sent event
    /// is returned as it came; only a batch with duplicates is filtered.
    private func firstSightings(of batch: IngestBatch, windowMillis: Int64, clocks: TenantClocks, db: Database) throws -> [Event] {
        let events = batch.events
        let upsert = try RawStatement(db, """
            INSERT INTO seen_event_ids (tenant, event_id, event_day, seen_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (tenant, event_id) DO UPDATE SET event_day = excluded.event_day, seen_at = excluded.seen_at
                WHERE excluded.seen_at - seen_event_ids.seen_at > ?
            """)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        var seenBefore: [Int] = []
        for index in events.indices {
            let seenAt = batch.seenAtMillis.isEmpty ? now : batch.seenAtMillis[index]
            upsert.bind(1, events[index].userId)
            upsert.bind(2, events[index].id)
            upsert.bind(3, Int64(clocks.day(of: events[index]).number))
            upsert.bind(4, seenAt)
            upsert.bind(5, windowMillis)
            try upsert.run()
            if db.changesCount == 0 { seenBefore.append(index) }
        }
        guard !seenBefore.isEmpty else { return events }
        // One pass: removing elements one by one is quadratic, and a replay of a re-sent topic
        // brings batches that are nearly all duplicates.
        var fresh: [Event] = []
        fresh.reserveCapacity(events.count - seenBefore.count)
        var duplicates = seenBefore.makeIterator()
        var nextDuplicate = duplicates.next()
        for index in events.indices {
            if index == nextDuplicate {
                nextDuplicate = duplicates.next()
            } else {
                fresh.append(events[index])
            }
        }
        return fresh
    }

    private func addToTotal(_ name: String, _ amount: Int, db: Database) throws {
        try db.cachedStatement(sql: "INSERT INTO store_totals (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value")
            .execute(arguments: [name, amount])
    }

    private func resolveDeadLetters(_ ids: [Int64], db: Database) throws {
        let statement = try db.cachedStatement(sql: "UPDATE dead_letters SET resolved_at = ? WHERE id = ? AND resolved_at IS NULL")
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        for id in ids { try statement.execute(arguments: [now, id]) }
    }

    /// The sequences advanced by the open transaction (its members go to the cache at once).
    struct StagedOrdinals {
        var sequences: [OrdinalCache.SpaceKey: UInt32] = [:]
    }

    /// Resolves every member the batch names to its ordinal, once each (`delta.memberKeys`):
    /// known ones from the cache or the store, new ones numbered next. A contact that a late event
    /// shows earlier than its stored first-seen day moves there; Total Contacts is the running sum
    /// of `new_contacts`, so the move is −1/+1.
    ///
    /// The fold lists members space by space, and each run is resolved against its space alone
    /// (`OrdinalCache.checkOut`). In any other order the result is the same, only with more runs.
    /// - Returns: the ordinal of each of `delta.memberKeys`, by position.
    private func resolveMembers(of delta: RollupDelta, counters: inout [RollupDelta.TenantDay: DailyCounters],
                                staged: inout StagedOrdinals, statements: MemberStatements) throws -> [UInt32] {
        let keys = delta.memberKeys
        var ordinals = [UInt32](repeating: 0, count: keys.count)
        var start = 0
        while start < keys.count {
            let spaceKey = OrdinalCache.SpaceKey(tenant: keys[start].tenant, kind: keys[start].kind)
            var end = start + 1
            while end < keys.count, keys[end].kind == spaceKey.kind, keys[end].tenant == spaceKey.tenant { end += 1 }
            var space = ordinalCache.checkOut(spaceKey)
            var next = staged.sequences[spaceKey] ?? space.sequence
            let sequenceBefore = next
            for index in start..<end {
                let member = keys[index].member
                let day = delta.memberFirstDays[index]
                // The store is not asked when the space holds as many members as its sequence has
                // given out: each has its own ordinal below the sequence, so then the space holds
                // every one, and a member it misses is new. On a fresh store that is every batch.
                var known = space.members[member]
                if known == nil, next.map({ space.members.count != Int($0) }) ?? true {
                    known = try statements.entry(member, in: spaceKey)
                    if let known { space.members[member] = known }
                }
                guard let known else {
                    let ordinal = try next ?? statements.nextOrdinal(spaceKey)
                    try statements.insert(member, in: spaceKey, ordinal: ordinal, firstDay: day)
                    next = ordinal + 1
                    space.members[member] = .init(ordinal: ordinal, firstDay: day.number)
                    ordinals[index] = ordinal
                    if spaceKey.kind == .contact { counters[.init(tenant: spaceKey.tenant, day: day), default: DailyCounters()].newContacts += 1 }
                    continue
                }
                ordinals[index] = known.ordinal
                guard spaceKey.kind == .contact, day.number < known.firstDay else { continue }
                try statements.moveFirstDay(member, in: spaceKey, to: day)
                space.members[member] = .init(ordinal: known.ordinal, firstDay: day.number)
                counters[.init(tenant: spaceKey.tenant, day: Day(number: known.firstDay)), default: DailyCounters()].newContacts -= 1
                counters[.init(tenant: spaceKey.tenant, day: day), default: DailyCounters()].newContacts += 1
            }
            if let next, next != sequenceBefore { staged.sequences[spaceKey] = next }
            ordinalCache.checkIn(spaceKey, space)
            start = end
        }
        return ordinals
    }

    /// The counter columns of `daily_counters`, in the order `upsertCounters` binds them.
    static let counterColumns = ["conversations", "messages", "msg_user", "msg_bot", "msg_activity", "msg_reasoning", "msg_context",
                                 "msg_instruction", "msg_backstory", "msg_checkpoint", "ratings", "thumbs_up", "thumbs_down",
                                 "new_contacts", "tokens"]
    /// The hour columns of `hourly_messages`, `h00` … `h23`.
    static let hourColumns = (0..<HourlyMessages.hoursPerDay).map { $0 < 10 ? "h0\($0)" : "h\($0)" }

    /// An insert of one (tenant, day) row that adds each column to the stored row instead of
    /// replacing it: how every additive rollup takes a batch's delta with no read.
    static func additiveUpsert(into table: String, columns: [String]) -> String {
        """
        INSERT INTO \(table) (tenant, day, \(columns.joined(separator: ", ")))
        VALUES (?, ?\(String(repeating: ", ?", count: columns.count)))
        ON CONFLICT (tenant, day) DO UPDATE SET \(columns.map { "\($0) = \($0) + excluded.\($0)" }.joined(separator: ", "))
        """
    }

    /// Adds each touched tenant-day's counters: one additive upsert per tenant-day, bound in place
    /// (see `RawStatement`), since with many tenants a batch touches nearly one tenant-day per event.
    private func upsertCounters(_ counters: [RollupDelta.TenantDay: DailyCounters], db: Database) throws {
        let statement = try RawStatement(db, Self.additiveUpsert(into: "daily_counters", columns: Self.counterColumns))
        for (key, c) in Self.inKeyOrder(counters) {
            statement.bind(1, key.tenant)
            statement.bind(2, Int64(key.day.number))
            var values = [c.conversations, c.messages] + c.messagesByType
            values += [c.ratings, c.thumbsUp, c.thumbsDown, c.newContacts, c.tokens]
            for (index, value) in values.enumerated() { statement.bind(Int32(index + 3), value) }
            try statement.run()
        }
    }

    /// Adds each touched tenant-day's hourly messages: one additive upsert per tenant-day.
    private func upsertHourly(_ hourly: [RollupDelta.TenantDay: HourlyMessages], db: Database) throws {
        guard !hourly.isEmpty else { return }
        let statement = try RawStatement(db, Self.additiveUpsert(into: "hourly_messages", columns: Self.hourColumns))
        for (key, hours) in Self.inKeyOrder(hourly) {
            statement.bind(1, key.tenant)
            statement.bind(2, Int64(key.day.number))
            for (index, count) in hours.counts.enumerated() { statement.bind(Int32(index + 3), count) }
            try statement.run()
        }
    }

    /// A batch's tenant-day rows in the tables' key order, so that neighbouring rows share their
    /// pages (see `KeyOrder`).
    private static func inKeyOrder<Value>(_ rows: [RollupDelta.TenantDay: Value]) -> [(key: RollupDelta.TenantDay, value: Value)] {
        rows.sorted { ($0.key.tenant, $0.key.day.number) < ($1.key.tenant, $1.key.day.number) }
    }

    /// Keeps each bot's negative ratings. A copy counted again after the dedupe window is still
    /// one rating event, so it is kept once.
    private func insertNegativeRatings(_ ratings: [RollupDelta.TenantDay: [NegativeRating]], db: Database) throws {
        guard !ratings.isEmpty else { return }
        let statement = try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO negative_ratings (tenant, event_id, day, occurred_at, value, reason, conversation_id, message_id, contact_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for (key, list) in ratings {
            for rating in list {
                try statement.execute(arguments: [key.tenant, rating.id, key.day.number, rating.occurredAtMillis, rating.value,
                                                  rating.reason, rating.conversationId, rating.messageId, rating.contactId])
            }
        }
    }

    /// Adds members to their daily bitmaps, one read-modify-write per (tenant, set, day), by the
    /// ordinals `resolveMembers` found.
    private func applyMembers(_ members: [RollupDelta.SetKey: [Int32]], ordinals: [UInt32], db: Database) throws {
        let select = try RawStatement(db, "SELECT bitmap FROM daily_bitmaps WHERE tenant = ? AND set_kind = ? AND day = ?")
        let upsert = try RawStatement(db, """
            INSERT INTO daily_bitmaps (tenant, set_kind, day, cardinality, bitmap) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (tenant, set_kind, day) DO UPDATE SET cardinality = excluded.cardinality, bitmap = excluded.bitmap
            """)
        // In key order, so that neighbouring rows share their pages (see `KeyOrder`).
        for (setKey, positions) in members.sorted(by: { ($0.key.tenant, $0.key.set.rawValue, $0.key.day.number) < ($1.key.tenant, $1.key.set.rawValue, $1.key.day.number) }) {
            var bitmap = OrdinalBitmap()
            select.bind(1, setKey.tenant)
            select.bind(2, Int64(setKey.set.rawValue))
            select.bind(3, Int64(setKey.day.number))
            if try select.next() {
                defer { select.reset() }
                bitmap = try OrdinalBitmap(serialized: select.bytes(0) ?? [])
            }
            var changed = false
            for position in positions where bitmap.insert(ordinals[Int(position)]) { changed = true }
            if changed {
                upsert.bind(1, setKey.tenant)
                upsert.bind(2, Int64(setKey.set.rawValue))
                upsert.bind(3, Int64(setKey.day.number))
                upsert.bind(4, Int64(bitmap.count))
                upsert.bind(5, bytes: bitmap.serialized())
                try upsert.run()
            }
        }
    }

    private func saveSequences(_ sequences: [OrdinalCache.SpaceKey: UInt32], db: Database) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO member_sequences (tenant, kind, next_ordinal) VALUES (?, ?, ?)
            ON CONFLICT (tenant, kind) DO UPDATE SET next_ordinal = excluded.next_ordinal
            """)
        for (key, next) in sequences {
            try statement.execute(arguments: [key.tenant, key.kind.rawValue, next])
        }
    }

    private func insertDeadLetters(_ letters: [DeadLetter], db: Database) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO dead_letters (topic, partition, offset, message_key, payload, payload_bytes, code, message, received_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for letter in letters {
            try statement.execute(arguments: [
                letter.topic, letter.partition, letter.offset, letter.key.map { Data($0) }, Data(letter.payload),
                letter.payloadBytes, letter.code, letter.message, letter.receivedAtMillis,
            ])
        }
    }

    private func saveOffsets(_ offsets: [PartitionOffset], db: Database) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO consumed_offsets (topic, partition, next_offset, updated_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (topic, partition) DO UPDATE SET next_offset = excluded.next_offset, updated_at = excluded.updated_at
            """)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        for offset in offsets {
            try statement.execute(arguments: [offset.topic, offset.partition, offset.nextOffset, now])
        }
    }
}
