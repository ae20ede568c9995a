/// Computes the tenant-wide reports from the tenant's daily counters and, for their per-bot parts,
/// from the slices of the bots active in the period (those with a conversation, message or rating
/// in it), so every figure is a sum or distinct count of rollups, as in every other report.
public struct TenantReportCalculator {
    public init() {}

    /// Computes `report` for `tenant` over `window`.
    ///
    /// - Parameter topBotsLimit: Platform Overview's number of top bots.
    public func compute(_ report: TenantReport, tenant: String, window: ReportWindow, topBotsLimit: Int = TenantReport.defaultTopBotsLimit,
                        from rollups: some RollupReading) throws -> TenantReportDocument {
        let counters = try rollups.counters(tenant: tenant, from: window.previousStart, through: window.end)
        let current = Self.total(window.days, counters)
        let previous = Self.total(window.previous.days, counters)
        switch report {
        case .alerts:
            return .alerts(AlertRule.tenantAlerts(current: current, previous: previous, period: window.label))
        case .comprehensiveOverview, .comprehensiveAnalytics:
            return .overview(try overview(withTokens: report == .comprehensiveAnalytics, tenant: tenant, window: window, counters: counters,
                                          from: rollups))
        case .platformOverview:
            return .platformOverview(try platformOverview(tenant: tenant, window: window, counters: counters, topBotsLimit: topBotsLimit,
                                                          from: rollups))
        }
    }

    static func total(_ days: [Day], _ counters: [Day: DailyCounters]) -> DailyCounters {
        days.reduce(into: DailyCounters()) { $0.add(counters[$1] ?? DailyCounters()) }
    }

    /// One active bot's counters over the period.
    private struct Bot {
        var id: String
        var key: String
        var counters: [Day: DailyCounters]
        var total: DailyCounters
    }

    private func activeBots(tenant: String, window: ReportWindow, from rollups: some RollupReading) throws -> [Bot] {
        try rollups.sliceValues(tenant: tenant, .botId, from: window.start, through: window.end).map { id in
            let key = RollupScope.key(tenant: tenant, .botId, id)
            let counters = try rollups.counters(tenant: key, from: window.start, through: window.end)
            return Bot(id: id, key: key, counters: counters, total: Self.total(window.days, counters))
        }
    }

    private func overview(withTokens: Bool, tenant: String, window: ReportWindow, counters: [Day: DailyCounters],
                          from rollups: some RollupReading) throws -> OverviewDocument {
        let bots = try activeBots(tenant: tenant, window: window, from: rollups)
        let days = window.days
        func item(_ title: String, _ description: String, value: Int64, previous: Int64, chart: [OverviewDocument.Point],
                  byBot: [(id: String, figure: Int64)], unit: (one: String, many: String)) -> OverviewDocument.Item {
            let list = byBot.filter { $0.figure > 0 }
                .sorted { $0.figure != $1.figure ? $0.figure > $1.figure : $0.id < $1.id }
                .prefix(OverviewDocument.listLimit)
                .map { OverviewDocument.ListEntry(id: $0.id, name: $0.id, description: "\($0.figure) \($0.figure == 1 ? unit.one : unit.many)") }
            let metric = OverviewDocument.Metric(title: title, description: description, value: .count(value), change: .count(value - previous),
                                                 period: window.label)
            return .init(title: title, description: description, value: metric.value, change: metric.change, period: window.label,
                         details: .init(metric: metric, chart: .init(data: chart), list: list))
        }
        func counted(_ title: String, _ description: String, _ field: (DailyCounters) -> Int64, unit: (String, String)) -> OverviewDocument.Item {
            item(title, description, value: field(Self.total(days, counters)), previous: field(Self.total(window.previous.days, counters)),
                 chart: days.map { .init(date: $0.iso, total: .count(field(counters[$0] ?? DailyCounters()))) },
                 byBot: bots.map { ($0.id, field($0.total)) }, unit: unit)
        }

        var ratings = counted("Total Ratings", "Number of ratings received in the period", \.ratings, unit: ("rating", "ratings"))
        ratings.details.chart.data = days.map { day in
            let c = counters[day] ?? DailyCounters()
            return .init(date: day.iso, total: .count(c.ratings), thumbsUp: c.thumbsUp, thumbsDown: c.thumbsDown)
        }
        let perDay = try rollups.dailyDistinctCounts(tenant: tenant, set: .activeContacts, from: window.start, through: window.end)
        let contacts = item(
            "Active Contacts", "Distinct contacts with any event in the period",
            value: Int64(try rollups.distinctCount(tenant: tenant, set: .activeContacts, from: window.start, through: window.end)),
            previous: Int64(try rollups.distinctCount(tenant: tenant, set: .activeContacts, from: window.previousStart, through: window.previousEnd)),
            chart: days.map { .init(date: $0.iso, total: .count(Int64(perDay[$0] ?? 0))) },
            byBot: try bots.map { ($0.id, Int64(try rollups.distinctCount(tenant: $0.key, set: .activeContacts, from: window.start, through: window.end))) },
            unit: ("active contact", "active contacts"))
        var items = [
            ratings, contacts,
            counted("Total Conversations", "Number of conversations created in the period", \.conversations, unit: ("conversation", "conversations")),
            counted("Total Messages", "Number of messages of every type created in the period", \.messages, unit: ("message", "messages")),
        ]
        if withTokens {
            items.append(counted("Total Tokens", "Model tokens of the messages created in the period", \.tokens, unit: ("token", "tokens")))
        }
        return OverviewDocument(data: items)
    }

    private func platformOverview(tenant: String, window: ReportWindow, counters: [Day: DailyCounters], topBotsLimit: Int,
                                  from rollups: some RollupReading) throws -> PlatformOverviewDocument {
        let bots = try activeBots(tenant: tenant, window: window, from: rollups)
        let botsBefore = try rollups.sliceValues(tenant: tenant, .botId, from: window.previousStart, through: window.previousEnd).count
        let current = Self.total(window.days, counters)
        let previous = Self.total(window.previous.days, counters)
        func series(_ field: (DailyCounters) -> Int64) -> PlatformOverviewDocument.Series {
            .init(value: field(current), change: field(current) - field(previous),
                  breakdown: window.days.map { .init(date: $0.iso, total: field(counters[$0] ?? DailyCounters())) })
        }
        let none = PlatformOverviewDocument.Figure(value: 0, change: 0)
        let top = bots.sorted { a, b in
            if a.total.tokens != b.total.tokens { return a.total.tokens > b.total.tokens }
            if a.total.conversations != b.total.conversations { return a.total.conversations > b.total.conversations }
            return a.id < b.id
        }.prefix(topBotsLimit).map { bot in
            PlatformOverviewDocument.TopBot(
                id: bot.id, name: bot.id, tokens: bot.total.tokens, conversations: bot.total.conversations, thumbsUp: bot.total.thumbsUp,
                thumbsDown: bot.total.thumbsDown,
                thumbsUpRate: bot.total.ratings > 0 ? .percentage(bot.total.thumbsUp, bot.total.ratings) : nil,
                sparkline: window.days.map { bot.counters[$0]?.tokens ?? 0 })
        }
        return PlatformOverviewDocument(
            period: window.label,
            rangeLabel: window.periodDays == 1 ? window.end.iso : "\(window.start.iso) to \(window.end.iso)",
            resources: .init(blueprints: none, portals: none, bots: .init(value: Int64(bots.count), change: Int64(bots.count - botsBefore))),
            tokens: series(\.tokens), conversations: series(\.conversations), messages: series(\.messages),
            negativeRatings: series(\.thumbsDown),
            positiveRatings: .init(value: current.thumbsUp, change: current.thumbsUp - previous.thumbsUp),
            topBots: Array(top), recentWork: [])
    }
}
