import Foundation

/// The published input and output JSON Schemas of the reports: ChatBotKit's from its `report.json`
/// (vendored unchanged in `schemas/chatbotkit/`), Tally's own from `schemas/tally/report.json`.
///
/// Both files are compiled into the binary (SwiftPM's `embedInCode`, through the links in
/// `Sources/TallyHTTP/Schemas/`), so the list never depends on files beside a deployed `tally` and
/// cannot drift from the files the conformance tests validate against.
struct ReportSchemas: Sendable {
    /// Who publishes a report, and so whose contract it follows.
    enum Source: String, Encodable, Sendable {
        case chatbotkit, tally
    }

    /// One report's schemas, as published.
    struct Entry: Sendable, Equatable {
        var input: JSONValue
        var output: JSONValue
    }

    /// ChatBotKit's reports by id: every one it publishes, not only those Tally computes.
    let chatBotKit: [String: Entry]
    /// Tally's own reports by id.
    let tally: [String: Entry]

    /// The schemas compiled into this binary.
    static let embedded: ReportSchemas = {
        do {
            return try ReportSchemas(chatBotKitJSON: PackageResources.chatbotkit_report_json, tallyJSON: PackageResources.tally_report_json)
        } catch {
            preconditionFailure("the embedded report schemas do not parse: \(error)")
        }
    }()

    init(chatBotKitJSON: [UInt8], tallyJSON: [UInt8]) throws {
        chatBotKit = try Self.entries(chatBotKitJSON)
        tally = try Self.entries(tallyJSON)
    }

    /// ChatBotKit's when ChatBotKit publishes report `id`, Tally's otherwise: a report id that
    /// ChatBotKit's catalog holds is ChatBotKit's contract, whoever computes it.
    func source(of id: String) -> Source { chatBotKit[id] != nil ? .chatbotkit : .tally }

    /// The schemas of report `id` from its source, or nil when its source publishes none.
    func entry(for id: String) -> Entry? {
        switch source(of: id) {
        case .chatbotkit: chatBotKit[id]
        case .tally: tally[id]
        }
    }

    /// The layout both files share: `{"reports": {id: {"input": schema, "output": schema, …}}}`.
    private struct File: Decodable {
        struct Report: Decodable { var input: JSONValue; var output: JSONValue }
        var reports: [String: Report]
    }

    private static func entries(_ json: [UInt8]) throws -> [String: Entry] {
        try JSONDecoder().decode(File.self, from: Data(json)).reports.mapValues { Entry(input: $0.input, output: $0.output) }
    }
}
