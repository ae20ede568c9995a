import TallyDomain

/// The sections about Tally itself: its ingest figures, the audit log, the keys and the retention.
/// They read `ReportFacts`, which the runner read from the stores beside the rollups.
extension SectionReader {
    func ingestHealth() -> [Block] {
        var total = IngestHealthDay()
        for day in window.days { if let figures = facts.ingestHealth[day] { total.add(figures) } }
        let deadLetters = total.deadLetters.values.reduce(0, +)
        let items: [KPIGroup.KPI] = [
            .init(name: "events_counted", label: "Events counted", unit: .count, value: .count(total.eventsCounted), change: nil),
            .init(name: "duplicates_skipped", label: "Duplicates skipped", unit: .count, value: .count(total.duplicatesSkipped), change: nil),
            .init(name: "dead_letters", label: "Dead letters", unit: .count, value: .count(deadLetters), change: nil),
            .init(name: "batches", label: "Batches committed", unit: .count, value: .count(total.batches), change: nil),
            .init(name: "maximum_lag", label: "Maximum lag (records)", unit: .count, value: .count(total.maximumLag ?? 0), change: nil),
            .init(name: "maximum_freshness", label: "Maximum freshness (seconds)", unit: .seconds,
                  value: .seconds(millis: Double(total.maximumFreshnessMillis ?? 0)), change: nil),
        ]
        let days = window.days
        func values(_ value: (IngestHealthDay) -> Int64) -> [ReportNumber] { days.map { .count(facts.ingestHealth[$0].map(value) ?? 0) } }
        let rows: [[Table.Cell]] = days.map { day in
            let figures = facts.ingestHealth[day] ?? IngestHealthDay()
            return [.text(day.iso), .number(.count(figures.eventsCounted)), .number(.count(figures.duplicatesSkipped)),
                    .number(.count(figures.deadLetters.values.reduce(0, +))), .number(.count(figures.batches)),
                    figures.maximumLag.map { .number(.count($0)) } ?? .empty,
                    figures.maximumFreshnessMillis.map { .number(.seconds(millis: Double($0))) } ?? .empty]
        }
        let codes: [[Table.Cell]] = total.deadLetters.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { [.text($0.key), .number(.count($0.value))] }
        return [
            .kpis(KPIGroup(items: items)),
            .series(Series(name: "daily", title: "Events per day", unit: .count, dates: dates, lines: [
                .init(name: "events_counted", label: "Events counted", values: values(\.eventsCounted)),
                .init(name: "duplicates_skipped", label: "Duplicates skipped", values: values(\.duplicatesSkipped)),
                .init(name: "dead_letters", label: "Dead letters", values: values { $0.deadLetters.values.reduce(0, +) }),
            ])),
            .table(Table(name: "days", title: "Ingest per day", columns: [
                .text("date", "Date"), .number("events_counted", "Events counted"), .number("duplicates_skipped", "Duplicates skipped"),
                .number("dead_letters", "Dead letters"), .number("batches", "Batches"), .number("maximum_lag", "Maximum lag"),
                .number("maximum_freshness", "Maximum freshness (s)", .seconds),
            ], rows: rows)),
            .table(Table(name: "dead_letter_codes", title: "Dead letters by code", columns: [
                .text("code", "Code"), .number("dead_letters", "Dead letters"),
            ], rows: codes)),
        ]
    }

    func auditTrail() -> [Block] {
        let entries = facts.audit
        let actors = Set(entries.map(\.actorId)).count
        let failures = entries.filter { $0.outcome != "success" }.count
        let rows: [[Table.Cell]] = entries.map { entry in
            [.number(.count(entry.sequence)), .text(ReportDocumentBuilder.rfc3339(millis: entry.atMillis)), .text(entry.actorId), .text(entry.actorName),
             entry.actorRole.map { .text($0) } ?? .empty, .text(entry.action), .text(entry.target), .text(entry.outcome)]
        }
        return [
            .kpis(KPIGroup(items: [
                .init(name: "entries", label: "Entries", unit: .count, value: .count(Int64(facts.auditTotal)), change: nil),
                .init(name: "actors", label: "Actors", unit: .count, value: .count(Int64(actors)), change: nil),
                .init(name: "refused_or_failed", label: "Refused or failed", unit: .count, value: .count(Int64(failures)), change: nil),
            ])),
            .table(Table(name: "entries", title: entries.count < facts.auditTotal
                            ? "Audit entries (the latest \(entries.count) of \(facts.auditTotal))" : "Audit entries", columns: [
                .number("sequence", "Seq"), .text("at", "Time (UTC)"), .text("actor", "Actor"), .text("actor_name", "Actor name"),
                .text("role", "Role"), .text("action", "Action"), .text("target", "Target"), .text("outcome", "Outcome"),
            ], rows: rows)),
        ]
    }

    func accessReview() -> [Block] {
        let (start, end) = periodMillis
        let created = facts.keys.filter { (start..<end).contains($0.createdAtMillis) }.count
        let revoked = facts.keys.filter { $0.revokedAtMillis.map { (start..<end).contains($0) } ?? false }.count
        let used = facts.keys.filter { $0.daysUsed > 0 }.count
        let active = facts.keys.filter { $0.createdAtMillis < end && ($0.revokedAtMillis.map { $0 >= end } ?? true) }.count
        let rows: [[Table.Cell]] = facts.keys.map { key in
            let status = key.revokedAtMillis.map { $0 < end ? "revoked" : "active" } ?? "active"
            return [.text(key.id), .text(key.name), .text(key.role), .text(ReportDocumentBuilder.rfc3339(millis: key.createdAtMillis)),
                    key.revokedAtMillis.map { .text(ReportDocumentBuilder.rfc3339(millis: $0)) } ?? .empty, .text(status),
                    .number(.count(Int64(key.daysUsed))), key.lastUsedDay.map { .text($0) } ?? .empty]
        }
        return [
            .kpis(KPIGroup(items: [
                .init(name: "active_keys", label: "Active at the end", unit: .count, value: .count(Int64(active)), change: nil),
                .init(name: "created_keys", label: "Created", unit: .count, value: .count(Int64(created)), change: nil),
                .init(name: "revoked_keys", label: "Revoked", unit: .count, value: .count(Int64(revoked)), change: nil),
                .init(name: "used_keys", label: "Used", unit: .count, value: .count(Int64(used)), change: nil),
            ])),
            .table(Table(name: "keys", title: "API keys", columns: [
                .text("key", "Key"), .text("name", "Name"), .text("role", "Role"), .text("created_at", "Created (UTC)"),
                .text("revoked_at", "Revoked (UTC)"), .text("status", "Status at the end"), .number("days_used", "Days used"),
                .text("last_used", "Last used (UTC day)"),
            ], rows: rows)),
        ]
    }

    func dataRetention() -> [Block] {
        let retention = facts.retention
        var pruned = IngestHealthDay()
        for day in window.days { if let figures = facts.ingestHealth[day] { pruned.add(figures) } }
        let expired = facts.audit.filter { $0.action == "report.expire" && $0.outcome == "success" }.count
        func setting(_ name: String, _ label: String, _ days: Int) -> [Table.Cell] { [.text(name), .text(label), .number(.count(Int64(days)))] }
        return [
            .kpis(KPIGroup(items: [
                .init(name: "pruned_dedupe_ids", label: "Dedupe ids past the window", unit: .count, value: .count(pruned.prunedDedupeIds), change: nil),
                .init(name: "pruned_dead_letters", label: "Dead letters past retention", unit: .count, value: .count(pruned.prunedDeadLetters), change: nil),
                .init(name: "expired_reports", label: "Reports past retention", unit: .count, value: .count(Int64(expired)), change: nil),
            ])),
            .table(Table(name: "settings", title: "Retention settings", columns: [
                .text("setting", "Setting"), .text("meaning", "What it keeps"), .number("days", "Days"),
            ], rows: [
                setting("dedupe_days", "Event ids remembered to skip re-sent copies (0: dedupe off)", retention.dedupeDays),
                setting("retention_days", "Oldest event accepted, by its occurred_at", retention.eventRetentionDays),
                setting("dead_letter_retention_days", "Dead letters kept", retention.deadLetterRetentionDays),
                setting("report_retention_days", "Generated reports kept", retention.reportRetentionDays),
            ])),
        ]
    }

    /// The period as instants: the tenant's local midnight of the first day to that after the last.
    var periodMillis: (start: Int64, end: Int64) { (spec.startMillis, spec.endMillis) }
}
