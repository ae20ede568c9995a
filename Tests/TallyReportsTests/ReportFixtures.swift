import Foundation
import Testing
import TallyDomain
import TallyReports
import TallyStore
import TallyTestSupport

/// A seeded tenant in an in-memory rollup store, and documents built from it.
enum ReportFixtures {
    static let end = Day(iso: "2026-03-15")!
    static let tenant = TrafficGenerator.tenantId(0)

    /// Untrusted strings as events and users send them: markup, spreadsheet formulas, and cells
    /// that a spreadsheet would read as numbers or commands.
    static let hostile = ["<script>alert(1)</script>", "=HYPERLINK(\"x\")", "+1", "-1", "@x", "\tTab", "\rCR", "a,\"b\"\r\nc"]

    /// Generated traffic for two tenants over 80 days, some bots and channels hostile.
    static let events: [Event] = Array(TrafficGenerator(seed: 101, tenants: 2, days: 80, endDay: end, total: 4_000)).enumerated().map { index, event in
        var event = event
        if index % 5 == 0 { event.botId = hostile[index % hostile.count] }
        if index % 9 == 0 { event.channel = hostile[(index / 9) % hostile.count] }
        if case .ratingCreated(let value) = event.kind, value < 0, index % 2 == 0 { event.reason = hostile[index % hostile.count] }
        return event
    }

    static let store: TallyStore = {
        let store = try! TallyStore()
        try! store.apply(IngestBatch(events: events, offsets: [PartitionOffset(topic: "events", partition: 0, nextOffset: Int64(events.count))]))
        return store
    }()

    static func spec(_ type: ReportType, sections: [SectionName]? = nil, days: Int = 30, title: String = "Monthly <b>report</b>",
                     slice: (dimension: RollupScope.Dimension, value: String)? = nil) -> ReportSpec {
        ReportSpec(type: type, title: title, sections: sections ?? type.defaultSections, tenant: tenant, slice: slice,
                   start: end.advanced(by: -(days - 1)), end: end)
    }

    static func document(_ spec: ReportSpec) async throws -> ReportDocument {
        try await store.withRollupsAtPositionAsync { rollups, position in
            let asOf = ReportDocument.DataAsOf(
                committedAt: position.committedAtMillis.map(ReportDocumentBuilder.rfc3339(millis:)),
                offsets: position.offsets.map { .init(topic: $0.topic, partition: $0.partition, nextOffset: $0.nextOffset) })
            return try ReportDocumentBuilder().build(spec, generatedAtMillis: 1_773_576_000_000, dataAsOf: asOf, from: rollups)
        }
    }

    /// Every available section, in one custom report.
    static var everything: ReportSpec { spec(.custom, sections: SectionName.allCases) }
}

/// Runs a Python program of the project's `.venv` on `input`, for readers that Tally did not write
/// (the csv module, html.parser, jsonschema); answers its standard output.
enum PythonReader {
    static let repositoryRoot = VenvPython.repositoryRoot

    static func run(_ program: String, arguments: [String] = [], input: [UInt8]) throws -> Data {
        try VenvPython.run(["-c", program], input: Data(input), trailing: arguments)
    }

    /// jsonschema's verdict on `instance` against `schemas/report-document.schema.json`: the errors.
    static func schemaErrors(_ instance: [UInt8]) throws -> [String] {
        let program = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[2]))
            jsonschema.Draft202012Validator.check_schema(schema)
            instance = json.load(open(sys.argv[1], encoding="utf-8"))
            v = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
            print(json.dumps(["/".join(map(str, e.absolute_path)) + ": " + e.message for e in v.iter_errors(instance)]))
            """
        let schema = repositoryRoot.appendingPathComponent("schemas/report-document.schema.json").path
        return try JSONDecoder().decode([String].self, from: run(program, arguments: [schema], input: instance))
    }
}
