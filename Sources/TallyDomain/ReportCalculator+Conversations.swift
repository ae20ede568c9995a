/// The conversation-level reports: every figure comes from the per-day `ConversationDayMetrics`
/// of the conversations that start in the period, summed (depths) or merged (histograms).
extension ReportCalculator {
    func conversationReport(_ metric: ReportDefinition.Metric, tenant: String, window: ReportWindow,
                            from rollups: some RollupReading) throws -> ReportResult {
        let metrics = try rollups.conversationMetrics(tenant: tenant, from: window.previousStart, through: window.end)
        func merged(_ days: [Day]) -> ConversationDayMetrics {
            var sum = ConversationDayMetrics()
            for day in days { if let day = metrics[day] { sum.add(day) } }
            return sum
        }
        let figure: (ConversationDayMetrics) -> ReportNumber
        switch metric {
        case .engagementRate: figure = { .percentage($0.withUserMessages, $0.started) }
        case .abandonmentRate: figure = { .percentage($0.withOneUserMessage, $0.withUserMessages) }
        case .firstResponseTime: figure = { Self.seconds($0.firstResponses.percentile(50)) }
        case .conversationDuration: figure = { Self.seconds($0.durations.percentile(50)) }
        case .conversationDepth: figure = { .count($0.started) }
        default: preconditionFailure("not a conversation metric: \(metric)")
        }
        let period = merged(window.days)
        let value = figure(period)
        var report = result(window, value: value, change: value.minus(figure(merged(window.previous.days))),
                            daily: window.days.map { figure(metrics[$0] ?? ConversationDayMetrics()) })
        switch metric {
        case .firstResponseTime:
            report.percentiles = Self.percentiles(of: period.firstResponses)
            report.count = period.firstResponses.count
        case .conversationDuration:
            report.percentiles = Self.percentiles(of: period.durations)
        case .conversationDepth:
            report.buckets = ConversationDepth.allCases.map { ReportResult.Bucket(bucket: $0.label, total: period[$0]) }
        default:
            break
        }
        return report
    }

    /// A percentile estimate in milliseconds as seconds with 2 decimals; 0 when nothing is counted.
    static func seconds(_ millis: Double?) -> ReportNumber { .seconds(millis: millis ?? 0) }

    static func percentiles(of histogram: LogHistogram) -> ReportResult.Percentiles {
        .init(p50: seconds(histogram.percentile(50)), p90: seconds(histogram.percentile(90)), p99: seconds(histogram.percentile(99)))
    }
}
