/// What report computation needs from the store: precomputed counters and bitmaps, never raw events.
///
/// Reports are computed in the domain over this protocol so that the arithmetic is tested without
/// SQLite, and so that the store's only job is to read rows.
public protocol RollupReading {
    /// Daily counters for every day in `from...through` that has any; absent days are zero.
    func counters(tenant: String, from: Day, through: Day) throws -> [Day: DailyCounters]
    /// The distinct count of `set` on each day in `from...through` that has members.
    func dailyDistinctCounts(tenant: String, set: MemberSet, from: Day, through: Day) throws -> [Day: Int]
    /// The distinct count of the union of `set` over `from...through`.
    func distinctCount(tenant: String, set: MemberSet, from: Day, through: Day) throws -> Int
    /// Messages per hour for every day in `from...through` that has any; absent days are zero.
    func hourlyMessages(tenant: String, from: Day, through: Day) throws -> [Day: HourlyMessages]
    /// The values of `dimension` (bot ids or channels) with rollups of `tenant` on some day in
    /// `from...through`, in any order.
    func sliceValues(tenant: String, _ dimension: RollupScope.Dimension, from: Day, through: Day) throws -> [String]
    /// The negative ratings kept under `tenant` (a bot's slice key) on `from...through`, newest
    /// first (ties by id), at most `limit`.
    func negativeRatings(tenant: String, from: Day, through: Day, limit: Int) throws -> [NegativeRating]
    /// Conversation aggregates of every day in `from...through` on which some conversation starts;
    /// absent days have none.
    func conversationMetrics(tenant: String, from: Day, through: Day) throws -> [Day: ConversationDayMetrics]
    /// The usage of each of `conversations` (tenant-scope parts of its state on `from...through`,
    /// summed); a conversation without a part there is absent. Callers pass at most
    /// `ConversationUsageReport.conversationIdsCount`'s bound of distinct ids.
    func conversationUsage(tenant: String, conversations: [String], from: Day, through: Day) throws -> [String: ConversationUsage]
    /// The `limit` conversations stored under `tenant` (a tenant's or a slice's key) whose start
    /// (`ConversationState.startDay(in: clock)`) is in `from...through`, ranked by
    /// `TopConversation.ranksBefore`; each merges every stored part of the conversation under that
    /// key, also parts after the period, and names the bots and channels of its tenant that hold
    /// a part of it.
    func topConversations(tenant: String, clock: LocalClock, from: Day, through: Day, limit: Int) throws -> [TopConversation]
    /// Distinct contacts whose first event is on or before `day`.
    func totalContacts(tenant: String, through day: Day) throws -> Int64
}
