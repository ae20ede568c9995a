import TallyDomain

/// What ChatBotKit's generate routes answer for one report: a figure in its ChatBotKit shape, or
/// a per-bot report's document. Either encodes as the bare object its schema describes.
enum GeneratedOutput: Sendable, Encodable {
    case figure(ChatBotKitOutput)
    case document(BotReportDocument)

    func encode(to encoder: any Encoder) throws {
        switch self {
        case .figure(let output): try output.encode(to: encoder)
        case .document(let document): try document.encode(to: encoder)
        }
    }
}
