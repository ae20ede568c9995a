import TallyDomain

/// The top conversations section: the period's conversations with the most messages.
extension SectionReader {
    /// The conversations that start in the period (on the tenant's clock, as conversation metrics
    /// count them), most messages first, ties by id; each with every message it has, also after
    /// the period, since a conversation is ranked whole. A sliced report ranks the slice's own
    /// parts of each conversation, and names all of the tenant's bots and channels it has events
    /// under.
    func topConversations() throws -> [Block] {
        guard let clock = LocalClock(timeZoneIdentifier: spec.timeZone) else {
            throw ReportBuildError("unknown time zone '\(spec.timeZone)'")
        }
        let top = try rollups.topConversations(tenant: key, clock: clock, from: window.start, through: window.end,
                                               limit: spec.limit(of: .topConversations))
        func list(_ values: [String]) -> Table.Cell { values.isEmpty ? .empty : .text(values.joined(separator: ", ")) }
        func seconds(_ millis: Int64?) -> Table.Cell { millis.map { .number(.seconds(millis: Double($0))) } ?? .empty }
        let rows: [[Table.Cell]] = top.map { item in
            [.text(item.id), list(item.botIds), list(item.channels), .number(.count(item.state.userMessages)),
             .number(.count(item.state.botMessages)), .number(.count(item.state.messages)), seconds(item.durationMillis),
             seconds(item.firstResponseMillis), .number(.count(item.state.thumbsUp)), .number(.count(item.state.thumbsDown))]
        }
        return [
            .table(Table(name: "conversations", title: "Conversations with the most messages", columns: [
                .text("conversation_id", "Conversation"), .text("bot_id", "Bot"), .text("channel", "Channel"),
                .number("user_messages", "User messages"), .number("bot_messages", "Bot messages"), .number("messages", "Messages"),
                .number("duration", "Duration (seconds)", .seconds), .number("first_response", "First response (seconds)", .seconds),
                .number("thumbs_up", "Thumbs up"), .number("thumbs_down", "Thumbs down"),
            ], rows: rows)),
        ]
    }
}
