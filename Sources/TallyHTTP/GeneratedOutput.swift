import TallyDomain

/// What ChatBotKit's generate routes answer for one report: a figure in its ChatBotKit shape, or
/// a per-bot, tenant-wide or Conversation Usage report's document. Either encodes as the bare object its schema describes.
enum GeneratedOutput: Sendable, Encodable {
    case figure(ChatBotKitOutput)
    case document(BotReportDocument)
    case tenantDocument(TenantReportDocument)
    case conversationUsage(ConversationUsageDocument)

    func encode(to encoder: any Encoder) throws {
        switch self {
        case .figure(let output): try output.encode(to: encoder)
        case .document(let document): try document.encode(to: encoder)
        case .tenantDocument(let document): try document.encode(to: encoder)
        case .conversationUsage(let document): try document.encode(to: encoder)
        }
    }
}
