import Foundation
import Testing
import TallyDomain
import TallyPDF
import TallyReports
import TallyTestSupport
import TallyXLSX

/// Every built format read back by a reader Tally did not write (Python's csv module and
/// html.parser), with hostile strings escaped or neutralised, and byte-for-byte determinism.
@Suite("Report renderers")
struct ReportRendererTests {
    nonisolated(unsafe) static let oracle = ReportOracle(events: ReportFixtures.events)

    static func expected(_ name: String, days: Int = 30) throws -> ReportOracle.Expected {
        let id = try #require(ReportCatalog.all.first { $0.name == name }?.id)
        return try #require(oracle.expected(reportId: id, tenant: ReportFixtures.tenant, periodDays: days, end: ReportFixtures.end))
    }

    @Test("CSV is RFC 4180 long form with CRLF, parsed by Python's csv module, with the oracle's figures")
    func csvReadsBack() async throws {
        let document = try await ReportFixtures.document(ReportFixtures.everything)
        let bytes = try CSVReportRenderer().render(document, includeCharts: true)
        // Every line ends with CRLF: no LF without its CR outside quoted fields (the parser checks those).
        let program = """
            import csv, json, sys
            raw = open(sys.argv[1], "rb").read()
            text = raw.decode("utf-8")
            rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8"), strict=True))
            print(json.dumps({"rows": rows, "crlf": raw.endswith(b"\\r\\n")}))
            """
        struct Parsed: Decodable { var rows: [[String]]; var crlf: Bool }
        let parsed = try JSONDecoder().decode(Parsed.self, from: try PythonReader.run(program, input: bytes))
        #expect(parsed.crlf)
        #expect(parsed.rows.first == ["section", "metric", "key", "date", "value"])
        #expect(parsed.rows.allSatisfy { $0.count == 5 })
        let rows = parsed.rows.dropFirst()
        func value(_ section: String, _ metric: String, key: String = "", date: String = "") -> String? {
            rows.first { $0[0] == section && $0[1] == metric && $0[2] == key && $0[3] == date }?[4]
        }
        var compared = 0
        for (metric, report) in [("conversations", "Total Conversations Report"), ("messages", "Total Messages Report"),
                                 ("tokens", "Total Tokens Report"), ("active_contacts", "Active Contacts Report")] {
            let exact = try Self.expected(report)
            #expect(value("usage_summary", metric).flatMap(Double.init) == exact.value, "\(metric)")
            #expect(value("usage_summary", "\(metric).change").flatMap(Double.init) == exact.change, "\(metric) change")
            compared += 2
        }
        for entry in try Self.expected("Total Messages Report").breakdown {
            #expect(value("usage_summary", "daily.messages", date: entry.date).flatMap(Double.init) == entry.total, "\(entry.date)")
            compared += 1
        }
        let rate = try Self.expected("Thumbs Up Rate Report")
        #expect(value("satisfaction_scores", "thumbs_up_rate").flatMap(Double.init) == rate.value)
        print("CSV: \(rows.count) rows, \(compared) figures compared with the oracle")

        // Formula neutralisation: no text field starts like a formula; a field starting with '-' is a number.
        for row in rows {
            for field in row {
                if let first = field.unicodeScalars.first, ["=", "+", "@", "\t", "\r"].contains(first) {
                    Issue.record("formula-like field \(field.debugDescription) in \(row)")
                }
                if field.hasPrefix("-") { #expect(Double(field) != nil, "\(field.debugDescription) is text starting with '-'") }
            }
        }
        let keys = Set(rows.map { $0[2] })
        for hostile in ReportFixtures.hostile where keys.contains { $0.hasSuffix(hostile) } {
            let shown = CSVReportRendererProbe.expectedField(hostile)
            #expect(keys.contains(shown), "\(hostile.debugDescription) is written as \(shown.debugDescription)")
        }
        #expect(keys.contains("'=HYPERLINK(\"x\")"))
        #expect(keys.contains("'+1") && keys.contains("'-1") && keys.contains("'@x") && keys.contains("'\tTab") && keys.contains("'\rCR"))
        #expect(keys.contains("<script>alert(1)</script>"))
    }

    @Test("HTML parses with Python's html.parser, loads nothing, escapes every hostile string and shows the oracle's figures")
    func htmlReadsBack() async throws {
        let spec = ReportFixtures.spec(.custom, sections: SectionName.allCases, title: "<script>alert(1)</script> & =HYPERLINK(\"x\")")
        let document = try await ReportFixtures.document(spec)
        for charts in [true, false] {
            let bytes = try HTMLReportRenderer().render(document, includeCharts: charts)
            let program = """
                import json, sys
                from html.parser import HTMLParser
                class P(HTMLParser):
                    def __init__(self):
                        super().__init__(convert_charrefs=True)
                        self.tags = {}; self.external = []; self.text = []; self.kpis = {}; self.metric = None; self.inv = False; self.stack = []
                    def handle_starttag(self, tag, attrs):
                        a = dict(attrs)
                        self.tags[tag] = self.tags.get(tag, 0) + 1
                        for k in ("src", "href", "action", "srcset", "background", "poster", "data"):
                            if k in a: self.external.append(tag + " " + k)
                        if tag == "link": self.external.append("link")
                        for k in a:
                            if k.startswith("on"): self.external.append(tag + " " + k)
                        if tag == "div" and "data-metric" in a: self.metric = a["data-metric"]
                        if tag == "div" and a.get("class") == "v": self.inv = True
                    def handle_endtag(self, tag):
                        if tag == "div": self.inv = False
                    def handle_data(self, data):
                        self.text.append(data)
                        if self.inv and self.metric and self.metric not in self.kpis: self.kpis[self.metric] = data
                p = P(); p.feed(open(sys.argv[1], encoding="utf-8").read()); p.close()
                print(json.dumps({"tags": p.tags, "external": p.external, "text": "".join(p.text), "kpis": p.kpis}))
                """
            struct Parsed: Decodable { var tags: [String: Int]; var external: [String]; var text: String; var kpis: [String: String] }
            let parsed = try JSONDecoder().decode(Parsed.self, from: try PythonReader.run(program, input: bytes))
            #expect(parsed.tags["script"] == nil, "no script element: hostile strings stayed text")
            #expect(parsed.tags["img"] == nil && parsed.tags["iframe"] == nil)
            #expect(parsed.external.isEmpty, "loads nothing: \(parsed.external)")
            #expect(((parsed.tags["svg"] ?? 0) > 0) == charts, "inline SVG charts only with include_charts")
            #expect(parsed.text.contains("<script>alert(1)</script>"), "the hostile title and bot id read back as text")
            #expect(parsed.text.contains("=HYPERLINK(\"x\")"))
            #expect((parsed.tags["table"] ?? 0) >= document.sections.count)
            let exact = try Self.expected("Total Conversations Report")
            #expect(parsed.kpis["conversations"].flatMap(Double.init) == exact.value)
            let messages = try Self.expected("Total Messages Report")
            #expect(parsed.kpis["messages"].flatMap(Double.init) == messages.value)
        }
    }

    @Test("the same document renders to the same bytes in every format, and JSON keys are sorted")
    func deterministic() async throws {
        let first = try await ReportFixtures.document(ReportFixtures.everything)
        let second = try await ReportFixtures.document(ReportFixtures.everything)
        #expect(first == second)
        let renderers: [any ReportRenderer] = [JSONReportRenderer(), CSVReportRenderer(), HTMLReportRenderer(), PDFReportRenderer(), XLSXReportRenderer()]
        #expect(Set(renderers.map(\.format)) == Set(ReportFormat.allCases), "every format")
        for renderer in renderers {
            let format = renderer.format
            let a = SHA256.hex(try renderer.render(first, includeCharts: true))
            let b = SHA256.hex(try renderer.render(second, includeCharts: true))
            #expect(a == b, "\(format.rawValue)")
            print("\(format.rawValue): sha256 \(a) twice")
        }
        let json = String(decoding: try JSONReportRenderer().render(first, includeCharts: true), as: UTF8.self)
        #expect(json.hasPrefix("{\"schema_version\":1,\"sections\":["))
    }
}

/// How the CSV writes one untrusted text field, restated independently of the renderer.
enum CSVReportRendererProbe {
    static func expectedField(_ text: String) -> String {
        guard let first = text.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) else { return text }
        return "'" + text
    }
}
