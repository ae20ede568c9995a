import Foundation
import Testing
import TallyTestSupport

/// One JSON instance to judge against one published schema: a part of a schema file, named by a
/// JSON Pointer, so that the validator reads the schema straight from the file Tally vendors.
struct SchemaCheck {
    var label: String
    var schemaFile: URL
    var schemaPointer: String
    /// The JSON exactly as Tally sent it (a response body), never re-serialized by the test.
    var instance: Data
    /// The part of `instance` to judge (one member of a batch answer), or nil for all of it.
    var instancePointer: String?
}

/// Judges instances with Python's `jsonschema` package through `tools/json-schema-check`: a reader
/// of the schemas that Tally did not write, installed into `.venv` by `tools/setup`.
enum SchemaValidator {
    struct Result: Decodable {
        var label: String
        var valid: Bool
        var errors: [String]
    }

    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let chatBotKitSchemas = repositoryRoot.appendingPathComponent("schemas/chatbotkit/report.json")
    static let tallySchemas = repositoryRoot.appendingPathComponent("schemas/tally/report.json")

    /// The ids of the reports in a schema file.
    static func reportIds(in file: URL) throws -> Set<String> {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        return Set(try #require(object["reports"] as? [String: Any]).keys)
    }

    /// The file that publishes report `id`'s schemas: ChatBotKit's when it holds the id, else Tally's.
    static func schemaFile(for id: String) throws -> URL {
        try reportIds(in: chatBotKitSchemas).contains(id) ? chatBotKitSchemas : tallySchemas
    }

    /// A JSON Pointer token (RFC 6901).
    static func pointerToken(_ text: String) -> String {
        text.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    /// Judges every check in one run of the validator; results come back in order.
    static func judge(_ checks: [SchemaCheck]) throws -> [Result] {
        let encoder = JSONEncoder()
        var cases = Data("{\"cases\":[".utf8)
        for (index, check) in checks.enumerated() {
            if index > 0 { cases.append(Data(",".utf8)) }
            cases.append(Data("{\"label\":".utf8) + (try encoder.encode(check.label)))
            cases.append(Data(",\"schemaFile\":".utf8) + (try encoder.encode(check.schemaFile.path)))
            cases.append(Data(",\"schemaPointer\":".utf8) + (try encoder.encode(check.schemaPointer)))
            if let pointer = check.instancePointer { cases.append(Data(",\"instancePointer\":".utf8) + (try encoder.encode(pointer))) }
            cases.append(Data(",\"instance\":".utf8) + check.instance + Data("}".utf8))
        }
        cases.append(Data("]}".utf8))
        let answer = try VenvPython.run([VenvPython.tool("json-schema-check")], input: cases)
        struct Answer: Decodable { var validator: String; var results: [Result] }
        let results = try JSONDecoder().decode(Answer.self, from: answer).results
        try #require(results.count == checks.count)
        return results
    }
}
