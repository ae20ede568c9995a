import TallyDomain

/// The per-bot and per-channel tables, satisfaction and alerts.
extension SectionReader {
    func breakdown(_ dimension: RollupScope.Dimension) throws -> [Block] {
        let figures: [(name: String, label: String, metric: ReportDefinition.Metric)] = [
            ("conversations", "Conversations", .counter(.conversations)),
            ("messages", "Messages", .counter(.messages)),
            ("tokens", "Tokens", .counter(.tokens)),
            ("ratings", "Ratings", .counter(.ratings)),
            ("active_contacts", "Active contacts", .distinct(.activeContacts)),
        ]
        // Each figure's groups are that report computed on each slice's own rollups.
        var byKey: [String: [String: ReportResult.Group]] = [:]
        for figure in figures {
            for group in try self.figure(figure.metric, groupBy: dimension).groups ?? [] {
                byKey[group.key, default: [:]][figure.name] = group
            }
        }
        func messages(_ key: String) -> Int64 { byKey[key]?["messages"]?.value.inHundredths ?? 0 }
        let keys = byKey.keys.sorted { messages($0) != messages($1) ? messages($0) > messages($1) : $0 < $1 }.prefix(spec.limit(of: dimension == .botId ? .botBreakdown : .channelBreakdown))
        var columns: [Table.Column] = [.text(dimension == .botId ? "bot_id" : "channel", dimension == .botId ? "Bot" : "Channel")]
        for figure in figures {
            columns.append(.number(figure.name, figure.label))
            columns.append(.number("\(figure.name)_change", "Change"))
        }
        let rows: [[Table.Cell]] = keys.map { key in
            var row: [Table.Cell] = [.text(key)]
            for figure in figures {
                let group = byKey[key]?[figure.name]
                row.append(.number(group?.value ?? .count(0)))
                row.append(.number(group?.change ?? .count(0)))
            }
            return row
        }
        let what = dimension == .botId ? "bot" : "channel"
        return [.table(Table(name: dimension == .botId ? "bots" : "channels", title: "Key figures per \(what)", columns: columns, rows: rows))]
    }

    func satisfactionScores() throws -> [Block] {
        let ratings = try figure(.counter(.ratings))
        let up = try figure(.counter(.thumbsUp))
        let down = try figure(.counter(.thumbsDown))
        let rate = try figure(.percentage(.thumbsUp, of: .ratings))
        // Negative ratings are kept per bot (as Bot Negative Feedback lists them): the tenant's
        // latest are the newest of its bots' lists, or the one bot's when the report is sliced by it.
        var negative: [(bot: String, rating: NegativeRating)] = []
        let bots: [String]
        if let slice = spec.slice {
            bots = slice.dimension == .botId ? [slice.value] : []
        } else {
            bots = try rollups.sliceValues(tenant: spec.tenant, .botId, from: window.start, through: window.end).sorted()
        }
        for bot in bots {
            let botKey = RollupScope.key(tenant: spec.tenant, .botId, bot)
            negative += try rollups.negativeRatings(tenant: botKey, from: window.start, through: window.end, limit: spec.limit(of: .satisfactionScores))
                .map { (bot, $0) }
        }
        negative.sort { a, b in
            a.rating.occurredAtMillis != b.rating.occurredAtMillis ? a.rating.occurredAtMillis > b.rating.occurredAtMillis : a.rating.id < b.rating.id
        }
        let rows: [[Table.Cell]] = negative.prefix(spec.limit(of: .satisfactionScores)).map { item in
            [.text(ReportDocumentBuilder.rfc3339(millis: item.rating.occurredAtMillis)), .text(item.bot), .number(.count(Int64(item.rating.value))),
             item.rating.reason.map { .text($0) } ?? .empty, item.rating.conversationId.map { .text($0) } ?? .empty]
        }
        return [
            .kpis(KPIGroup(items: [
                kpi("ratings", "Ratings", .count, ratings), kpi("thumbs_up", "Thumbs up", .count, up),
                kpi("thumbs_down", "Thumbs down", .count, down), kpi("thumbs_up_rate", "Thumbs-up rate", .percent, rate),
            ])),
            .series(Series(name: "daily", title: "Ratings per day", unit: .count, dates: dates, lines: [
                line("ratings", "Ratings", ratings), line("thumbs_up", "Thumbs up", up), line("thumbs_down", "Thumbs down", down),
            ])),
            .table(Table(name: "negative_feedback", title: "Latest negative feedback", columns: [
                .text("occurred_at", "When"), .text("bot_id", "Bot"), .number("value", "Rating"), .text("reason", "Reason"),
                .text("conversation_id", "Conversation"),
            ], rows: rows)),
        ]
    }

    func alerts() throws -> [Block] {
        var rows: [[Table.Cell]] = []
        func add(_ scope: String, _ document: AlertsDocument) {
            for alert in document.alerts {
                rows.append([.text(scope), .text(alert.severity.rawValue), .text(alert.type.rawValue), .text(alert.title), .text(alert.message),
                             alert.metric.map { .number($0.current) } ?? .empty, alert.metric?.baseline.map { .number($0) } ?? .empty,
                             alert.metric?.percentage.map { .number($0) } ?? .empty])
            }
        }
        // The tenant's (or slice's) Alerts, then each active bot's Bot Alerts.
        if case .alerts(let document) = try TenantReportCalculator().compute(.alerts, tenant: key, window: window, from: rollups) {
            add(spec.slice.map { "\($0.dimension == .botId ? "bot" : "channel"):\($0.value)" } ?? "tenant", document)
        }
        let bots: [String]
        if let slice = spec.slice {
            bots = slice.dimension == .botId ? [slice.value] : []
        } else {
            bots = try rollups.sliceValues(tenant: spec.tenant, .botId, from: window.previousStart, through: window.end).sorted()
        }
        for bot in bots {
            if case .alerts(let document) = try BotReportCalculator().compute(.alerts, tenant: spec.tenant, botId: bot, window: window, from: rollups) {
                add("bot:\(bot)", document)
            }
        }
        let critical = rows.filter { $0[1] == .text("critical") }.count
        let warning = rows.filter { $0[1] == .text("warning") }.count
        return [
            .kpis(KPIGroup(items: [
                .init(name: "alerts", label: "Alerts", unit: .count, value: .count(Int64(rows.count)), change: nil),
                .init(name: "critical", label: "Critical", unit: .count, value: .count(Int64(critical)), change: nil),
                .init(name: "warning", label: "Warnings", unit: .count, value: .count(Int64(warning)), change: nil),
            ])),
            .table(Table(name: "alerts", title: "Alerts of the period", columns: [
                .text("scope", "Scope"), .text("severity", "Severity"), .text("type", "Type"), .text("title", "Title"), .text("message", "Message"),
                .number("current", "Current"), .number("baseline", "Baseline"), .number("percentage", "Change %", .percent),
            ], rows: rows)),
        ]
    }
}
