/// The kinds of message a conversation holds, as the event contract names them.
///
/// The raw values are the wire strings; `index` is a dense position used for per-type counters.
public enum MessageType: String, CaseIterable, Sendable, Codable {
    case user, bot, activity, reasoning, context, instruction, backstory, checkpoint

    /// Position in `allCases`, used to index per-type counter arrays.
    public var index: Int {
        switch self {
        case .user: 0
        case .bot: 1
        case .activity: 2
        case .reasoning: 3
        case .context: 4
        case .instruction: 5
        case .backstory: 6
        case .checkpoint: 7
        }
    }
}
