import Foundation
import GRDB
import TallyDomain

extension TallyStore {
    /// Merges a batch's conversation states into the stored ones and moves each touched
    /// conversation's contribution: one read and one write per conversation and day of its events,
    /// then one read-modify-write per tenant-day whose aggregates change.
    ///
    /// The old contribution leaves the old start day and the new one joins the new start day, so
    /// however late an event arrives (an earlier `conversation.created`, a user message that makes
    /// an earlier bot message the first response, a message that changes the depth or the
    /// duration), every day's aggregates are what a fold of all events in any order would give.
    ///
    /// A slice's conversation whose every part the tenant marks with the slice's value
    /// (`SliceMarks`) holds the tenant's very state: it is written from the tenant's, with no read.
    ///
    /// - Parameter batch: the batch's conversations in key order (`RollupDelta.conversationsInKeyOrder`),
    ///   so one key's come one after another and its day aggregates are written once it ends, and
    ///   a tenant's come before its slices' (a slice key starts with the tenant's).
    func applyConversations(_ batch: [(key: RollupDelta.TenantConversation, parts: RollupDelta.ConversationParts)], clocks: TenantClocks,
                            db: Database) throws {
        guard !batch.isEmpty else { return }
        let statements = try ConversationPartStatements(db)
        let metrics = try ConversationMetricsStatements(db)
        var key = batch[0].key.tenant
        // A conversation counts in the local day of its start, on its tenant's clock.
        var clock = clocks.clock(forKey: key)
        var slice = SliceOfKey(key)
        var deltas: [Day: ConversationDayMetrics] = [:]
        // What the tenant's own conversations became in this batch, for its slices that follow.
        var tenantChanges: [String: TenantConversationChange] = [:]
        var changesOwner = key
        func writeKeyDeltas() throws {
            for (day, delta) in deltas { try metrics.add(delta, tenant: key, day: day) }
            deltas.removeAll(keepingCapacity: true)
        }
        func move(from old: ConversationState.Contribution?, to new: ConversationState.Contribution) {
            if let old {
                guard old != new else { return }
                deltas[old.day, default: ConversationDayMetrics()].add(old, sign: -1)
            }
            deltas[new.day, default: ConversationDayMetrics()].add(new)
        }
        for (entry, batchParts) in batch {
            if entry.tenant != key {
                try writeKeyDeltas()
                key = entry.tenant
                clock = clocks.clock(forKey: key)
                slice = SliceOfKey(key)
                // Only a slice of the tenant just visited may take its states.
                let owner = slice == nil ? key : RollupScope.owner(ofKey: key)
                if owner != changesOwner || slice == nil {
                    tenantChanges.removeAll(keepingCapacity: true)
                    changesOwner = owner
                }
            }
            if let slice {
                if let change = tenantChanges[entry.conversation], change.marks.value(of: slice.dimension) == slice.value {
                    // The slice holds a part on exactly the days the tenant does.
                    for (day, _) in batchParts.parts {
                        let part = change.parts[day]!
                        try statements.save(part.state, tenant: key, conversation: entry.conversation, day: day, stored: part.wasStored)
                    }
                    move(from: change.old, to: change.new)
                } else {
                    let (old, new) = try mergeSliceParts(batchParts, key: key, conversation: entry.conversation, statements: statements)
                    move(from: old?.contribution(in: clock), to: new.contribution(in: clock))
                }
                continue
            }
            let change = try mergeTenantParts(batchParts, key: key, conversation: entry.conversation, clock: clock, statements: statements)
            move(from: change.old, to: change.new)
            tenantChanges[entry.conversation] = change
        }
        try writeKeyDeltas()
    }

    /// Merges a tenant's conversation's batch parts and their marks into the stored ones.
    private func mergeTenantParts(_ batchParts: RollupDelta.ConversationParts, key: String, conversation: String, clock: LocalClock,
                                  statements: ConversationPartStatements) throws -> TenantConversationChange {
        var stored = try statements.markedParts(tenant: key, conversation: conversation)
        let old = ConversationRows.merged(stored.values.map(\.state))
        var written: [Day: TenantConversationChange.Part] = [:]
        for ((day, state), marks) in zip(batchParts.parts, batchParts.marks) {
            var part: (state: ConversationState, marks: SliceMarks) = (state, marks)
            let before = stored[day]
            if let before { part = (before.state.merging(state), before.marks.meeting(marks)) }
            stored[day] = part
            written[day] = .init(state: part.state, wasStored: before != nil)
            try statements.save(part.state, tenant: key, conversation: conversation, day: day, marks: part.marks, stored: before != nil)
        }
        let marks = stored.values.dropFirst().reduce(stored.values.first!.marks) { $0.meeting($1.marks) }
        let new = ConversationRows.merged(stored.values.map(\.state))!
        return TenantConversationChange(old: old?.contribution(in: clock), new: new.contribution(in: clock), parts: written, marks: marks)
    }

    /// Merges a slice's conversation's batch parts into its stored ones: the whole state before
    /// (nil when new) and after.
    private func mergeSliceParts(_ batchParts: RollupDelta.ConversationParts, key: String, conversation: String,
                                 statements: ConversationPartStatements) throws -> (old: ConversationState?, new: ConversationState) {
        var parts = try statements.parts(tenant: key, conversation: conversation)
        let old = ConversationRows.merged(parts.values)
        for (day, state) in batchParts.parts {
            let before = parts[day]
            let part = before.map { $0.merging(state) } ?? state
            parts[day] = part
            try statements.save(part, tenant: key, conversation: conversation, day: day, stored: before != nil)
        }
        return (old, ConversationRows.merged(parts.values)!)
    }
}

/// What a batch made of one of a tenant's conversations: its contribution before and after, the
/// parts it wrote, and the marks all of its parts share, which say which slices hold the same.
private struct TenantConversationChange {
    struct Part {
        var state: ConversationState
        /// Whether the day's part was stored before the batch (then so was each marked slice's).
        var wasStored: Bool
    }

    var old: ConversationState.Contribution?
    var new: ConversationState.Contribution
    var parts: [Day: Part]
    var marks: SliceMarks
}

/// The dimension and value of a slice's storage key; nil for a tenant's own key.
private struct SliceOfKey {
    var dimension: RollupScope.Dimension
    var value: String

    init?(_ key: String) {
        let owner = RollupScope.owner(ofKey: key)
        guard owner != key else { return nil }
        for dimension in RollupScope.Dimension.allCases {
            if let value = RollupScope.value(ofKey: key, tenant: owner, dimension) {
                self.dimension = dimension
                self.value = value
                return
            }
        }
        return nil
    }
}
