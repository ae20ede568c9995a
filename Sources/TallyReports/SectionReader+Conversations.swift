import TallyDomain

/// The conversation sections: depth and response times, from the per-day conversation metrics.
extension SectionReader {
    func conversationDepth() throws -> [Block] {
        let depth = try figure(.conversationDepth)
        let rows: [[Table.Cell]] = (depth.buckets ?? []).map { [.text($0.bucket), .number(.count($0.total))] }
        return [
            .kpis(KPIGroup(items: [
                kpi("conversations_started", "Conversations started", .count, depth),
                kpi("engagement_rate", "Engagement rate", .percent, try figure(.engagementRate)),
                kpi("abandonment_rate", "Abandonment rate", .percent, try figure(.abandonmentRate)),
            ])),
            .table(Table(name: "buckets", title: "Conversations by user messages", columns: [
                .text("bucket", "User messages"), .number("conversations", "Conversations"),
            ], rows: rows)),
        ]
    }

    func responseTimes() throws -> [Block] {
        let first = try figure(.firstResponseTime)
        let duration = try figure(.conversationDuration)
        var items = [kpi("first_response_p50", "First response p50", .seconds, first)]
        if let p = first.percentiles {
            items.append(.init(name: "first_response_p90", label: "First response p90", unit: .seconds, value: p.p90, change: nil))
            items.append(.init(name: "first_response_p99", label: "First response p99", unit: .seconds, value: p.p99, change: nil))
        }
        items.append(.init(name: "first_responses", label: "Conversations with a first response", unit: .count,
                           value: .count(first.count ?? 0), change: nil))
        items.append(kpi("duration_p50", "Duration p50", .seconds, duration))
        if let p = duration.percentiles {
            items.append(.init(name: "duration_p90", label: "Duration p90", unit: .seconds, value: p.p90, change: nil))
            items.append(.init(name: "duration_p99", label: "Duration p99", unit: .seconds, value: p.p99, change: nil))
        }
        // Per-day p90 and p99 come from the same per-day histograms the p50 breakdown reads.
        let metrics = try rollups.conversationMetrics(tenant: key, from: window.start, through: window.end)
        func daily(_ percent: Int, _ histogram: (ConversationDayMetrics) -> LogHistogram) -> [ReportNumber] {
            window.days.map { ReportNumber.seconds(millis: metrics[$0].flatMap { histogram($0).percentile(percent) } ?? 0) }
        }
        return [
            .kpis(KPIGroup(items: items)),
            .series(Series(name: "first_response", title: "First response time per day (seconds)", unit: .seconds, dates: dates, lines: [
                .init(name: "p50", label: "p50", values: daily(50, \.firstResponses)),
                .init(name: "p90", label: "p90", values: daily(90, \.firstResponses)),
                .init(name: "p99", label: "p99", values: daily(99, \.firstResponses)),
            ])),
            .series(Series(name: "duration", title: "Conversation duration per day (seconds)", unit: .seconds, dates: dates, lines: [
                .init(name: "p50", label: "p50", values: daily(50, \.durations)),
            ])),
        ]
    }
}
