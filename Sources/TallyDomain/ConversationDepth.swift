/// A conversation's depth: how many user messages it holds, in the buckets the Conversation Depth
/// report answers, in report order.
public enum ConversationDepth: Int, CaseIterable, Sendable {
    case none = 0, one, twoToThree, fourToTen, overTen

    /// The bucket of a conversation with `userMessages` user messages.
    public init(userMessages: Int64) {
        switch userMessages {
        case ...0: self = .none
        case 1: self = .one
        case 2...3: self = .twoToThree
        case 4...10: self = .fourToTen
        default: self = .overTen
        }
    }

    /// The bucket's name in the report: `0`, `1`, `2-3`, `4-10`, `>10`.
    public var label: String {
        switch self {
        case .none: "0"
        case .one: "1"
        case .twoToThree: "2-3"
        case .fourToTen: "4-10"
        case .overTen: ">10"
        }
    }
}
