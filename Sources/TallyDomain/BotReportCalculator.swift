/// Computes the per-bot reports from the bot's slice of the daily counters: the period and the
/// one before it are read once, and every figure is a sum over those days.
public struct BotReportCalculator {
    public init() {}

    /// Computes `report` for `tenant`'s bot `botId` over `window`.
    ///
    /// - Parameter limit: Bot Negative Feedback's number of ratings listed.
    public func compute(_ report: BotReport, tenant: String, botId: String, window: ReportWindow, limit: Int = BotReport.defaultFeedbackLimit,
                        from rollups: some RollupReading) throws -> BotReportDocument {
        let key = RollupScope.key(tenant: tenant, .botId, botId)
        let counters = try rollups.counters(tenant: key, from: window.previousStart, through: window.end)
        func sum(_ days: [Day], _ field: (DailyCounters) -> Int64) -> Int64 {
            days.reduce(0) { $0 + field(counters[$1] ?? DailyCounters()) }
        }
        let days = window.days
        let previous = window.previous.days
        switch report {
        case .stats:
            let up = sum(days, \.thumbsUp)
            let down = sum(days, \.thumbsDown)
            return .stats(BotStats(
                totalConversations: sum(days, \.conversations), totalMessages: sum(days, \.messages), totalTokens: sum(days, \.tokens),
                totalRatings: sum(days, \.ratings), thumbsUp: up, thumbsDown: down,
                sentimentSignal: SentimentSignal(thumbsUp: up, thumbsDown: down), period: window.label))
        case .conversationQuality:
            var started = ConversationDayMetrics()
            for (day, metrics) in try rollups.conversationMetrics(tenant: key, from: window.start, through: window.end) where day >= window.start {
                started.add(metrics)
            }
            func average(_ messages: (DailyCounters) -> Int64, _ set: MemberSet) throws -> ReportNumber {
                .ratio(sum(days, messages), Int64(try rollups.distinctCount(tenant: key, set: set, from: window.start, through: window.end)))
            }
            let tokens = sum(days, \.tokens)
            return .conversationQuality(BotConversationQuality(
                avgMessagesPerConversation: .init(user: try average({ $0.messages(of: .user) }, .conversationsWithUserMessages),
                                                  bot: try average({ $0.messages(of: .bot) }, .conversationsWithBotMessages),
                                                  activity: try average({ $0.messages(of: .activity) }, .conversationsWithActivityMessages)),
                conversationDepth: .init(singleTurn: started[.one], short: started[.twoToThree], medium: started[.fourToTen], long: started[.overTen]),
                totalConversations: started.started,
                abandonmentRate: .percentage(started.withOneUserMessage, started.withUserMessages),
                avgTokensPerConversation: .ratio(tokens, Int64(try rollups.distinctCount(tenant: key, set: .conversationsWithMessages,
                                                                                         from: window.start, through: window.end))),
                avgTokensPerMessage: .ratio(tokens, sum(days, \.messages)),
                topActions: [], period: window.label))
        case .negativeFeedback:
            let ratings = try rollups.negativeRatings(tenant: key, from: window.start, through: window.end, limit: limit)
            return .negativeFeedback(BotNegativeFeedback(
                items: ratings.map(BotNegativeFeedback.Item.init), total: sum(days, \.ratings), thumbsDown: sum(days, \.thumbsDown),
                thumbsUp: sum(days, \.thumbsUp), period: window.label))
        case .alerts:
            func total(_ days: [Day]) -> DailyCounters {
                days.reduce(into: DailyCounters()) { $0.add(counters[$1] ?? DailyCounters()) }
            }
            let metrics = try rollups.conversationMetrics(tenant: key, from: window.previousStart, through: window.end)
            func started(_ days: [Day]) -> ConversationDayMetrics {
                days.reduce(into: ConversationDayMetrics()) { sum, day in if let metrics = metrics[day] { sum.add(metrics) } }
            }
            return .alerts(AlertRule.botAlerts(current: total(days), previous: total(previous), started: started(days),
                                               startedBefore: started(previous), period: window.label))
        case .performance:
            func trend(_ field: (DailyCounters) -> Int64) -> BotPerformance.Trend {
                let current = sum(days, field)
                let before = sum(previous, field)
                return .init(current: current, previous: before, change: current - before,
                             breakdown: days.map { .init(date: $0.iso, total: field(counters[$0] ?? DailyCounters())) })
            }
            let up = sum(days, \.thumbsUp)
            let down = sum(days, \.thumbsDown)
            let ratings = BotPerformance.Ratings(
                thumbsUp: up, thumbsDown: down, total: sum(days, \.ratings), change: sum(days, \.ratings) - sum(previous, \.ratings),
                sentimentSignal: SentimentSignal(thumbsUp: up, thumbsDown: down),
                breakdown: days.map { day in
                    let c = counters[day] ?? DailyCounters()
                    return .init(date: day.iso, total: c.ratings, thumbsUp: c.thumbsUp, thumbsDown: c.thumbsDown)
                })
            return .performance(BotPerformance(conversations: trend(\.conversations), messages: trend(\.messages), tokens: trend(\.tokens),
                                               ratings: ratings, period: window.label))
        }
    }
}
