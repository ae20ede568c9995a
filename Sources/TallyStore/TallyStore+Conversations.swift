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
    /// - Parameter batch: the batch's conversations in key order (`RollupDelta.conversationsInKeyOrder`),
    ///   so one tenant's come one after another and its day aggregates are written once it ends.
    func applyConversations(_ batch: [(key: RollupDelta.TenantConversation, parts: RollupDelta.ConversationParts)], clocks: TenantClocks,
                            db: Database) throws {
        guard !batch.isEmpty else { return }
        let statements = try ConversationPartStatements(db)
        var tenant = batch[0].key.tenant
        // A conversation counts in the local day of its start, on its tenant's clock.
        var clock = clocks.clock(forKey: tenant)
        var deltas: [Day: ConversationDayMetrics] = [:]
        func writeTenantDeltas() throws {
            for (day, delta) in deltas { try ConversationRows.addMetrics(delta, tenant: tenant, day: day, db: db) }
            deltas.removeAll(keepingCapacity: true)
        }
        for (key, batchParts) in batch {
            if key.tenant != tenant {
                try writeTenantDeltas()
                tenant = key.tenant
                clock = clocks.clock(forKey: tenant)
            }
            var parts = try statements.parts(tenant: key.tenant, conversation: key.conversation)
            let old = ConversationRows.merged(parts.values)
            let new: ConversationState
            if parts.isEmpty, batchParts.parts.count == 1 {
                // A new conversation, all of whose events fell on one day: the usual case.
                let (day, state) = batchParts.parts[0]
                try statements.save(state, tenant: key.tenant, conversation: key.conversation, day: day)
                new = state
            } else {
                for (day, state) in batchParts.parts {
                    let part = parts[day].map { $0.merging(state) } ?? state
                    parts[day] = part
                    try statements.save(part, tenant: key.tenant, conversation: key.conversation, day: day)
                }
                new = ConversationRows.merged(parts.values)!
            }
            let newContribution = new.contribution(in: clock)
            if let oldContribution = old?.contribution(in: clock) {
                guard oldContribution != newContribution else { continue }
                deltas[oldContribution.day, default: ConversationDayMetrics()].add(oldContribution, sign: -1)
            }
            deltas[newContribution.day, default: ConversationDayMetrics()].add(newContribution)
        }
        try writeTenantDeltas()
    }
}
