/// Computes a report's value, change and breakdown from rollups.
///
/// The cost depends on the number of days and (for distinct counts) on bitmap sizes, never on the
/// number of events, because every input is already aggregated per day.
public struct ReportCalculator {
    public init() {}

    /// Computes `report` for `tenant` over `window`.
    public func compute(_ report: ReportDefinition, tenant: String, window: ReportWindow, from rollups: some RollupReading) throws -> ReportResult {
        let days = window.days
        switch report.metric {
        case .counter(let field):
            return try summed(field, tenant: tenant, window: window, from: rollups)

        case .totalContacts:
            let before = try rollups.totalContacts(tenant: tenant, through: window.previousEnd)
            let counters = try rollups.counters(tenant: tenant, from: window.start, through: window.end)
            var running = before
            let daily: [ReportNumber] = days.map { day in
                running += counters[day]?.newContacts ?? 0
                return .count(running)
            }
            return result(window, value: .count(running), change: .count(running - before), daily: daily)

        case .distinct(let set):
            let value = try rollups.distinctCount(tenant: tenant, set: set, from: window.start, through: window.end)
            let previous = try rollups.distinctCount(tenant: tenant, set: set, from: window.previousStart, through: window.previousEnd)
            let perDay = try rollups.dailyDistinctCounts(tenant: tenant, set: set, from: window.start, through: window.end)
            let daily = days.map { ReportNumber.count(Int64(perDay[$0] ?? 0)) }
            return result(window, value: .count(Int64(value)), change: .count(Int64(value - previous)), daily: daily)

        case .averagePerConversation(let field, let set):
            let counters = try rollups.counters(tenant: tenant, from: window.previousStart, through: window.end)
            func messages(_ days: [Day]) -> Int64 { days.reduce(0) { $0 + field.value(in: counters[$1] ?? DailyCounters()) } }
            let conversations = try rollups.distinctCount(tenant: tenant, set: set, from: window.start, through: window.end)
            let previousConversations = try rollups.distinctCount(tenant: tenant, set: set, from: window.previousStart, through: window.previousEnd)
            let perDay = try rollups.dailyDistinctCounts(tenant: tenant, set: set, from: window.start, through: window.end)
            let value = ReportNumber.ratio(messages(days), Int64(conversations))
            let previous = ReportNumber.ratio(messages(window.previous.days), Int64(previousConversations))
            let daily = days.map { ReportNumber.ratio(messages([$0]), Int64(perDay[$0] ?? 0)) }
            return result(window, value: value, change: value.minus(previous), daily: daily)

        case .percentage(let part, let whole):
            let counters = try rollups.counters(tenant: tenant, from: window.previousStart, through: window.end)
            func rate(_ days: [Day]) -> ReportNumber {
                var sum = DailyCounters()
                for day in days { sum.add(counters[day] ?? DailyCounters()) }
                return .percentage(part.value(in: sum), whole.value(in: sum))
            }
            let value = rate(days)
            return result(window, value: value, change: value.minus(rate(window.previous.days)), daily: days.map { rate([$0]) })

        case .returningContacts:
            let counters = try rollups.counters(tenant: tenant, from: window.previousStart, through: window.end)
            func new(_ days: [Day]) -> Int64 { days.reduce(0) { $0 + (counters[$1]?.newContacts ?? 0) } }
            let active = try rollups.distinctCount(tenant: tenant, set: .activeContacts, from: window.start, through: window.end)
            let previousActive = try rollups.distinctCount(tenant: tenant, set: .activeContacts, from: window.previousStart, through: window.previousEnd)
            let perDay = try rollups.dailyDistinctCounts(tenant: tenant, set: .activeContacts, from: window.start, through: window.end)
            let value = Int64(active) - new(days)
            let previous = Int64(previousActive) - new(window.previous.days)
            let daily = days.map { ReportNumber.count(Int64(perDay[$0] ?? 0) - new([$0])) }
            return result(window, value: .count(value), change: .count(value - previous), daily: daily)

        case .hourlyActivity:
            // value, change and breakdown are Total Messages' figures, from the daily counters.
            var report = try summed(.messages, tenant: tenant, window: window, from: rollups)
            let hourly = try rollups.hourlyMessages(tenant: tenant, from: window.start, through: window.end)
            var heatmap = Array(repeating: Array(repeating: Int64(0), count: HourlyMessages.hoursPerDay), count: 7)
            for (day, hours) in hourly where day >= window.start && day <= window.end {
                for hour in 0..<HourlyMessages.hoursPerDay { heatmap[day.weekdayFromMonday][hour] += hours[hour] }
            }
            report.heatmap = heatmap
            return report

        case .engagementRate, .abandonmentRate, .firstResponseTime, .conversationDuration, .conversationDepth:
            return try conversationReport(report.metric, tenant: tenant, window: window, from: rollups)
        }
    }

    /// Computes `report` for `tenant` over `window` and, with `groupBy`, adds the figure of each
    /// bot or channel seen in the period or the one before, largest first (ties by key). Each
    /// group is the report computed on that slice's own rollups, so its distinct counts are exact.
    public func compute(_ report: ReportDefinition, tenant: String, window: ReportWindow, groupBy: RollupScope.Dimension?,
                        from rollups: some RollupReading) throws -> ReportResult {
        var result = try compute(report, tenant: tenant, window: window, from: rollups)
        guard let groupBy else { return result }
        let values = try rollups.sliceValues(tenant: tenant, groupBy, from: window.previousStart, through: window.end)
        result.groups = try values.map { value in
            let slice = try compute(report, tenant: RollupScope.key(tenant: tenant, groupBy, value), window: window, from: rollups)
            return ReportResult.Group(key: value, value: slice.value, change: slice.change)
        }.sorted { a, b in
            a.value.inHundredths != b.value.inHundredths ? a.value.inHundredths > b.value.inHundredths : a.key < b.key
        }
        return result
    }

    /// A counter summed over the period, compared with the previous period, per day.
    private func summed(_ field: CounterField, tenant: String, window: ReportWindow, from rollups: some RollupReading) throws -> ReportResult {
        let counters = try rollups.counters(tenant: tenant, from: window.previousStart, through: window.end)
        let daily = window.days.map { field.value(in: counters[$0] ?? DailyCounters()) }
        let previous = window.previous.days.reduce(Int64(0)) { $0 + field.value(in: counters[$1] ?? DailyCounters()) }
        let value = daily.reduce(0, +)
        return result(window, value: .count(value), change: .count(value - previous), daily: daily.map(ReportNumber.count))
    }

    func result(_ window: ReportWindow, value: ReportNumber, change: ReportNumber, daily: [ReportNumber]) -> ReportResult {
        ReportResult(
            value: value, change: change, period: window.label,
            breakdown: zip(window.days, daily).map { ReportResult.Entry(date: $0.iso, total: $1) }
        )
    }
}
