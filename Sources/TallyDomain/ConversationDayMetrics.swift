/// The conversation-level aggregates of one tenant's day: every conversation whose start day it is,
/// by depth, with its first response time and duration.
///
/// All of it is additive, so days merge by addition and a conversation whose state changes moves
/// by subtracting its old contribution (from its old start day) and adding the new one (to its
/// possibly new start day). Reports over 365 days read 365 of these, never a conversation's row.
public struct ConversationDayMetrics: Sendable, Equatable {
    /// Conversations by `ConversationDepth.rawValue`.
    public var depthCounts: [Int64] = Array(repeating: 0, count: ConversationDepth.allCases.count)
    /// First response times (ms) of the conversations that have one.
    public var firstResponses = LogHistogram()
    /// Durations (ms) of the conversations with a message.
    public var durations = LogHistogram()

    public init() {}

    public init(depthCounts: [Int64], firstResponses: LogHistogram, durations: LogHistogram) {
        precondition(depthCounts.count == ConversationDepth.allCases.count, "one count per depth bucket")
        self.depthCounts = depthCounts
        self.firstResponses = firstResponses
        self.durations = durations
    }

    /// Conversations started (every depth, 0 included).
    public var started: Int64 { depthCounts.reduce(0, +) }
    /// Conversations with at least one user message.
    public var withUserMessages: Int64 { started - depthCounts[ConversationDepth.none.rawValue] }
    /// Conversations with exactly one user message.
    public var withOneUserMessage: Int64 { depthCounts[ConversationDepth.one.rawValue] }

    public subscript(depth: ConversationDepth) -> Int64 { depthCounts[depth.rawValue] }

    /// True when no conversation counts here (a row that can be dropped).
    public var isEmpty: Bool { depthCounts.allSatisfy { $0 == 0 } && firstResponses.isEmpty && durations.isEmpty }

    /// Adds (`sign` 1) or takes away (`sign` −1) one conversation's contribution.
    public mutating func add(_ contribution: ConversationState.Contribution, sign: Int64 = 1) {
        depthCounts[contribution.depth.rawValue] += sign
        if let millis = contribution.firstResponseMillis { firstResponses.add(millis, times: sign) }
        if let millis = contribution.durationMillis { durations.add(millis, times: sign) }
    }

    /// Adds another day's (or delta's) metrics.
    public mutating func add(_ other: ConversationDayMetrics) {
        for index in depthCounts.indices { depthCounts[index] += other.depthCounts[index] }
        firstResponses.add(other.firstResponses)
        durations.add(other.durations)
    }
}
