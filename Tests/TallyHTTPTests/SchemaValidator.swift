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

/// Judges response bodies against parts of `schemas/openapi.yaml` (a schema of `components`, or
/// the schema of a documented response), with Python's `jsonschema` in `.venv`, as JSON Schema
/// 2020-12 (the dialect of OpenAPI 3.1). The document is read from its own file by PyYAML, so its
/// `$ref`s between components resolve as they are written.
enum OpenAPISchemas {
    struct Check {
        var label: String
        /// A JSON Pointer into the document, e.g. `/components/schemas/Schedule`.
        var pointer: String
        /// The body exactly as Tally sent it.
        var instance: Data
    }

    static let documentPath = SchemaValidator.repositoryRoot.appendingPathComponent("schemas/openapi.yaml")

    /// The cases file is the first argument, the document the second.
    static let script = """
        import json, sys, yaml
        from jsonschema import Draft202012Validator
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT202012
        with open(sys.argv[1], encoding="utf-8") as f:
            cases = json.load(f)["cases"]
        with open(sys.argv[2], encoding="utf-8") as f:
            document = yaml.safe_load(f)
        base = "urn:tally:openapi"
        registry = Registry().with_resource(base, Resource.from_contents(document, default_specification=DRAFT202012))
        results = []
        for case in cases:
            validator = Draft202012Validator({"$ref": base + "#" + case["pointer"]}, registry=registry,
                                             format_checker=Draft202012Validator.FORMAT_CHECKER)
            errors = sorted(validator.iter_errors(case["instance"]), key=lambda e: list(e.absolute_path))
            results.append({"label": case["label"], "valid": not errors,
                            "errors": ["/" + "/".join(str(p) for p in e.absolute_path) + ": " + e.message for e in errors]})
        json.dump({"results": results}, sys.stdout)
        """

    /// The schema of a documented JSON response, e.g. `ScheduleNotFound`.
    static func response(_ name: String) -> String { "/components/responses/\(name)/content/application~1json/schema" }
    static func schema(_ name: String) -> String { "/components/schemas/\(name)" }
    /// The schema of an operation's answer with `status`, e.g. ("/api/v1/reports/schedule", "post", "409").
    static func operation(_ path: String, _ method: String, _ status: String) -> String {
        "/paths/\(SchemaValidator.pointerToken(path))/\(method)/responses/\(status)/content/application~1json/schema"
    }

    /// Judges every check in one run of the validator, on a thread of its own (not one of the
    /// cooperative pool's), and records an issue for each body that does not conform.
    static func expectValid(_ checks: [Check], sourceLocation: SourceLocation = #_sourceLocation) async throws {
        guard !checks.isEmpty else { return }
        let encoder = JSONEncoder()
        var cases = Data("{\"cases\":[".utf8)
        for (index, check) in checks.enumerated() {
            if index > 0 { cases.append(Data(",".utf8)) }
            cases.append(Data("{\"label\":".utf8) + (try encoder.encode(check.label)))
            cases.append(Data(",\"pointer\":".utf8) + (try encoder.encode(check.pointer)))
            cases.append(Data(",\"instance\":".utf8) + check.instance + Data("}".utf8))
        }
        cases.append(Data("]}".utf8))
        let input = cases
        let answer: Result<Data, any Error> = await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: Result { try VenvPython.run(["-c", script], input: input, trailing: [documentPath.path]) }) }.start()
        }
        struct Answer: Decodable { var results: [SchemaValidator.Result] }
        let results = try JSONDecoder().decode(Answer.self, from: try answer.get()).results
        try #require(results.count == checks.count, sourceLocation: sourceLocation)
        for (check, result) in zip(checks, results) where !result.valid {
            Issue.record("\(check.label) does not conform to \(check.pointer): \(result.errors.joined(separator: "; "))", sourceLocation: sourceLocation)
        }
    }
}
