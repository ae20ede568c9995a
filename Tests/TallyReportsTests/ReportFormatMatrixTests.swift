import Foundation
import Testing
import TallyDomain
import TallyPDF
import TallyReportJobs
import TallyReports
import TallyTestSupport
import TallyXLSX

/// Every report type in every format, read back by a reader Tally did not write: each file parses,
/// shows every section of its type, and the usage report's conversations figure is the oracle's.
/// (The per-format suites check the rest of the figures, the hostile strings and the layout.)
@Suite("Every type × every format")
struct ReportFormatMatrixTests {
    static let types: [ReportType] = [.usage, .conversations, .performance, .compliance]

    @Test("each file parses with its reader and holds every section of its type", arguments: ReportFormat.allCases)
    func everyType(_ format: ReportFormat) async throws {
        let conversations = try ReportRendererTests.expected("Total Conversations Report").value
        for type in Self.types {
            let document = try await ReportFixtures.document(ReportFixtures.spec(type))
            let bytes = try ReportRenderers.renderer(for: format).render(document, includeCharts: true)
            let titles = document.sections.map(\.title)
            let names = document.sections.map(\.name.rawValue)
            switch format {
            case .json:
                #expect(try PythonReader.schemaErrors(bytes).isEmpty, "\(type)")
                let parsed = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
                #expect((parsed["sections"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == names)
            case .csv:
                let program = "import csv, json, sys; print(json.dumps(list(csv.reader(open(sys.argv[1], newline='', encoding='utf-8')))))"
                let rows = try JSONDecoder().decode([[String]].self, from: try PythonReader.run(program, input: bytes))
                #expect(rows.first == CSVReportRenderer.header)
                #expect(Set(rows.dropFirst().map { $0[0] }) == Set(names + ["report"]), "\(type)")
                if type == .usage {
                    #expect(rows.first { $0[0] == "usage_summary" && $0[1] == "conversations" }.flatMap { Double($0[4]) } == conversations)
                }
            case .html:
                let program = """
                    import html.parser, json, sys
                    class P(html.parser.HTMLParser):
                        def __init__(self): super().__init__(); self.text = []
                        def handle_data(self, data): self.text.append(data)
                    p = P(); p.feed(open(sys.argv[1], encoding="utf-8").read()); p.close(); print(json.dumps(" ".join(p.text)))
                    """
                let text = try JSONDecoder().decode(String.self, from: try PythonReader.run(program, input: bytes))
                for title in titles { #expect(text.contains(title), "\(type): \(title)") }
            case .pdf:
                let text = try PopplerReader.text(bytes)
                #expect(try PopplerReader.info(bytes)["Page size"]?.contains("595.28 x 841.89") == true)
                for title in titles { #expect(text.contains(title), "\(type): \(title)") }
            case .xlsx:
                let book = try XLSXReadBack.read(bytes)
                #expect(book.sheets.map(\.name) == ["Summary"] + titles, "\(type)")
                if type == .usage {
                    let summary = try book.sheet("Summary")
                    let row = try #require(summary.cells.first { $0.type == "s" && $0.text == "conversations" }?.row)
                    #expect(summary.cells.contains { $0.row == row && $0.type == "n" && $0.number == conversations })
                }
            }
        }
    }
}
