/// Where the re-bucketing of one tenant into a new time zone stands, as `serve` reports it while
/// it rebuilds the tenant's rollups from the topics.
public struct RebucketProgress: Sendable, Equatable {
    public var userId: String
    /// The zone being rebuilt into.
    public var timeZone: String
    /// True while the rebuild runs; false after one failed and before the next attempt.
    public var running: Bool
    /// Of the live offsets, how much the replay has read, 0–100.
    public var percent: Int
    /// In-scope events counted so far.
    public var events: Int
    /// Why the last attempt failed, if it did.
    public var lastError: String?

    public init(userId: String, timeZone: String, running: Bool, percent: Int = 0, events: Int = 0, lastError: String? = nil) {
        self.userId = userId
        self.timeZone = timeZone
        self.running = running
        self.percent = percent
        self.events = events
        self.lastError = lastError
    }
}
