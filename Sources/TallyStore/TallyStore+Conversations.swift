import Foundation
import GRDB
import TallyDomain

extension TallyStore {
    /// One tenant's conversation.
    struct TenantConversation: Hashable {
        var tenant: String
        var conversation: String
    }

    /// Merges a batch's conversation states into the stored ones and moves each touched
    /// conversation's contribution: one read and one write per conversation and day of its events,
    /// then one read-modify-write per tenant-day whose aggregates change.
    ///
    /// The old contribution leaves the old start day and the new one joins the new start day, so
    /// however late an event arrives (an earlier `conversation.created`, a user message that makes
    /// an earlier bot message the first response, a message that changes the depth or the
    /// duration), every day's aggregates are what a fold of all events in any order would give.
    func applyConversations(_ batch: [RollupDelta.ConversationDay: ConversationState], clocks: TenantClocks, db: Database) throws {
        guard !batch.isEmpty else { return }
        var byConversation: [TenantConversation: [(day: Day, state: ConversationState)]] = [:]
        for (key, state) in batch {
            byConversation[TenantConversation(tenant: key.tenant, conversation: key.conversation), default: []].append((key.day, state))
        }
        var deltas: [RollupDelta.TenantDay: ConversationDayMetrics] = [:]
        let statements = try ConversationPartStatements(db)
        // In key order (see `KeyOrder`), not the dictionary's.
        let conversations = Array(byConversation)
        for index in KeyOrder.sorted(conversations, tenant: \.key.tenant, text: \.key.conversation) {
            let (key, batchParts) = conversations[index]
            var parts = try statements.parts(tenant: key.tenant, conversation: key.conversation)
            let old = ConversationRows.merged(parts.values)
            for (day, state) in batchParts {
                let part = parts[day].map { $0.merging(state) } ?? state
                parts[day] = part
                try statements.save(part, tenant: key.tenant, conversation: key.conversation, day: day)
            }
            let new = ConversationRows.merged(parts.values)!
            // A conversation counts in the local day of its start, on its tenant's clock.
            let clock = clocks.clock(forKey: key.tenant)
            let newContribution = new.contribution(in: clock)
            if let oldContribution = old?.contribution(in: clock) {
                guard oldContribution != newContribution else { continue }
                deltas[.init(tenant: key.tenant, day: oldContribution.day), default: ConversationDayMetrics()].add(oldContribution, sign: -1)
            }
            deltas[.init(tenant: key.tenant, day: newContribution.day), default: ConversationDayMetrics()].add(newContribution)
        }
        for (key, delta) in deltas {
            try ConversationRows.addMetrics(delta, tenant: key.tenant, day: key.day, db: db)
        }
    }
}
