import TallyDomain

/// One member of a batch answer: the report's output, or `{"error": {"message", "code"}}` in its
/// place, so that one bad member never costs the others their answers.
enum BatchAnswer: Encodable {
    case output(GeneratedOutput)
    case failure(APIError)

    private enum Key: String, CodingKey { case error }

    func encode(to encoder: any Encoder) throws {
        switch self {
        case .output(let output):
            try output.encode(to: encoder)
        case .failure(let error):
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(APIError.ErrorBody(message: error.message, code: error.code), forKey: .error)
        }
    }
}
