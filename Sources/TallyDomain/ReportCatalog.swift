/// Every report Tally serves, in list order.
public enum ReportCatalog {
    public static let all: [ReportDefinition] = [
        .init(id: "clr3m5n8k000008jq7h9e5b1a", name: "Total Ratings Report",
              description: "Number of ratings received in the period", metric: .counter(.ratings)),
        .init(id: "clr3m5n8k000108jq3c4d7f2b", name: "Thumbs Up Report",
              description: "Number of positive ratings (value above 0) received in the period", metric: .counter(.thumbsUp)),
        .init(id: "clr3m5n8k000208jq8e5f6g3c", name: "Thumbs Down Report",
              description: "Number of negative ratings (value below 0) received in the period", metric: .counter(.thumbsDown)),
        .init(id: "clr3m5n8k000308jq1h7i8j4d", name: "Total Contacts Report",
              description: "Distinct contacts ever seen up to the end of the period, with the running total per day",
              metric: .totalContacts),
        .init(id: "clr3m5n8k000408jq9i8j9k5e", name: "Active Contacts Report",
              description: "Distinct contacts with any event in the period, with the distinct count per day",
              metric: .distinct(.activeContacts)),
        .init(id: "clr3m5n8k000508jq2j9k0l6f", name: "Total Conversations Report",
              description: "Number of conversations created in the period", metric: .counter(.conversations)),
        .init(id: "clr3m5n8k000608jq3k0l1m7g", name: "Total Messages Report",
              description: "Number of messages of every type created in the period", metric: .counter(.messages)),
        .init(id: "clr3m5n8k000708jq4l1m2n8h", name: "User Messages Report",
              description: "Number of messages sent by users in the period", metric: .counter(.messagesOfType(.user))),
        .init(id: "clr3m5n8k000808jq5m2n3o9i", name: "Bot Messages Report",
              description: "Number of bot responses in the period", metric: .counter(.messagesOfType(.bot))),
        .init(id: "clr3m5n8k000908jq6n3o4p0j", name: "Activity Messages Report",
              description: "Number of agent actions (activity messages) in the period", metric: .counter(.messagesOfType(.activity))),
        .init(id: "clr3m5n8k000a08jq7o4p5q1k", name: "Average User Messages per Conversation",
              description: "User messages divided by the distinct conversations with at least one user message",
              metric: .averagePerConversation(messages: .messagesOfType(.user), conversations: .conversationsWithUserMessages)),
        .init(id: "clr3m5n8k000b08jq8p5q6r2l", name: "Average Bot Messages per Conversation",
              description: "Bot messages divided by the distinct conversations with at least one bot message",
              metric: .averagePerConversation(messages: .messagesOfType(.bot), conversations: .conversationsWithBotMessages)),
        .init(id: "clr3m5n8k000c08jq9q6r7s3m", name: "Average Action Messages per Conversation",
              description: "Activity messages divided by the distinct conversations with at least one activity message",
              metric: .averagePerConversation(messages: .messagesOfType(.activity), conversations: .conversationsWithActivityMessages)),
        .init(id: "clr3m5n8k000d08jqt4l7y2c9", name: "Average Messages per Conversation",
              description: "Messages of every type divided by the distinct conversations with at least one message",
              metric: .averagePerConversation(messages: .messages, conversations: .conversationsWithMessages),
              createdAt: "2026-11-22T00:00:00.000Z", updatedAt: "2026-11-22T00:00:00.000Z"),
    ]

    private static let byId = Dictionary(uniqueKeysWithValues: all.map { ($0.id, $0) })

    /// The report with this id, or nil.
    public static func report(id: String) -> ReportDefinition? { byId[id] }
}
