import TallyDomain
import TallyReports
import TallySettings
import TallyStore

extension ReportJobRunner {
    /// Reads what the spec's sections need beside the rollups: the ingest figures from the rollup
    /// store, the audit log and the keys from the settings store. Sections that need none of them
    /// cost nothing here.
    func facts(for spec: ReportSpec) async throws -> ReportFacts {
        var facts = ReportFacts(retention: .init(
            dedupeDays: configuration.dedupeDays, eventRetentionDays: configuration.eventRetentionDays,
            deadLetterRetentionDays: configuration.deadLetterRetentionDays, reportRetentionDays: configuration.retentionDays))
        let sections = spec.sections
        if sections.contains(where: \.readsIngestHealth) {
            facts.ingestHealth = try await stores.current.ingestHealth(tenant: spec.tenant, from: spec.start, through: spec.end)
        }
        if sections.contains(where: \.readsAuditLog) {
            (facts.audit, facts.auditTotal) = try await auditLines(spec)
        }
        if sections.contains(where: \.readsKeys) {
            facts.keys = try await keyLines(spec)
        }
        return facts
    }

    /// The period's entries concerning the tenant, oldest first: the newest `ReportFacts.auditLimit` of them.
    private func auditLines(_ spec: ReportSpec) async throws -> ([ReportFacts.AuditLine], Int) {
        var lines: [ReportFacts.AuditLine] = []
        var total = 0
        var query = AuditQuery(sinceMillis: spec.startMillis, untilMillis: spec.endMillis, userId: spec.tenant, limit: AuditQuery.limitRange.upperBound)
        while true {
            let page = try await settings.auditEntriesAsync(query)
            total = page.total
            for record in page.items where lines.count < ReportFacts.auditLimit {
                let entry = record.entry
                lines.append(.init(sequence: record.sequence, atMillis: entry.atMillis, actorId: entry.actor.id, actorName: entry.actor.name,
                                   actorRole: entry.actor.role, action: entry.action.rawValue, target: entry.target, outcome: entry.outcome))
            }
            query.offset += page.items.count
            if page.items.isEmpty || query.offset >= total || lines.count >= ReportFacts.auditLimit { break }
        }
        return (lines.sorted { $0.sequence < $1.sequence }, total)
    }

    /// The tenant's keys that existed at some instant of the period, with their use in it.
    private func keyLines(_ spec: ReportSpec) async throws -> [ReportFacts.KeyLine] {
        let (start, end) = (spec.startMillis, spec.endMillis)
        // Key use is recorded per UTC day: the UTC days the period's instants touch.
        let uses = try await settings.keyUse(from: Day(epochMillis: start).iso, through: Day(epochMillis: end - 1).iso)
        return try await settings.allKeys()
            .filter { $0.userId == spec.tenant && $0.createdAtMillis < end && ($0.revokedAtMillis.map { $0 >= start } ?? true) }
            .sorted { ($0.createdAtMillis, $0.id) < ($1.createdAtMillis, $1.id) }
            .map { key in
                let use = uses[key.id]
                return .init(id: key.id, name: key.name, role: key.role.rawValue, createdAtMillis: key.createdAtMillis,
                             revokedAtMillis: key.revokedAtMillis, daysUsed: use?.days ?? 0, lastUsedDay: use?.lastDay)
            }
    }
}
