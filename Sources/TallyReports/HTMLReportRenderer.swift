import TallyDomain

/// The HTML format: one self-contained printable page. Styles are inline, charts are inline SVG,
/// and nothing is loaded from anywhere (no scripts, fonts, images or links), so the file opens
/// offline and prints the same everywhere.
///
/// Every string of the document is escaped (`HTMLText.escape`): titles, bot ids, channels and
/// reasons come from users and events, and must never become markup.
public struct HTMLReportRenderer: ReportRenderer {
    public var format: ReportFormat { .html }
    public init() {}

    public func render(_ document: ReportDocument, includeCharts: Bool) throws -> [UInt8] {
        var html = HTMLText()
        let t = document.title
        html.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        html.raw("<meta name=\"generator\" content=\"Tally\">\n<title>")
        html.text(t.title)
        html.raw("</title>\n<style>\(Self.style)</style>\n</head>\n<body>\n<header>\n<h1>")
        html.text(t.title)
        html.raw("</h1>\n<dl class=\"meta\">\n")
        var meta: [(String, String)] = [("Tenant", t.tenant), ("Type", t.type.rawValue), ("Period", "\(t.periodStart) to \(t.periodEnd)"),
                                        ("Time zone", t.timeZone), ("Generated at", t.generatedAt)]
        if let slice = t.slice { meta.append((slice.dimension == "bot_id" ? "Bot" : "Channel", slice.value)) }
        let offsets = t.dataAsOf.offsets.map { "\($0.topic)/\($0.partition)@\($0.nextOffset)" }.joined(separator: ", ")
        meta.append(("Data as of", (t.dataAsOf.committedAt ?? "no batch committed yet") + (offsets.isEmpty ? "" : " (\(offsets))")))
        for (label, value) in meta {
            html.raw("<dt>"); html.text(label); html.raw("</dt><dd>"); html.text(value); html.raw("</dd>\n")
        }
        html.raw("</dl>\n</header>\n")
        for section in document.sections {
            html.raw("<section id=\"")
            html.text(section.name.rawValue)
            html.raw("\">\n<h2>")
            html.text(section.title)
            html.raw("</h2>\n")
            for block in section.blocks { HTMLBlocks.render(block, into: &html, charts: includeCharts) }
            html.raw("</section>\n")
        }
        html.raw("</body>\n</html>\n")
        return Array(html.output.utf8)
    }

    static let style = """
        body{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;margin:24px;color:#222}\
        h1{font-size:22px;margin:0 0 8px}h2{font-size:17px;border-bottom:1px solid #ccc;padding-bottom:4px;margin-top:28px}\
        h3{font-size:14px;margin:14px 0 6px}dl.meta{display:grid;grid-template-columns:max-content auto;gap:2px 12px;font-size:12px}\
        dt{font-weight:bold}dd{margin:0}table{border-collapse:collapse;font-size:12px;margin:6px 0}\
        th,td{border:1px solid #ccc;padding:3px 6px;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}\
        thead{display:table-header-group}tr{page-break-inside:avoid}.kpis{display:flex;flex-wrap:wrap;gap:8px}\
        .kpi{border:1px solid #ccc;border-radius:4px;padding:6px 10px;min-width:120px}.kpi .v{font-size:18px;font-weight:bold}\
        .kpi .c{font-size:11px;color:#555}svg{display:block;margin:6px 0}section{page-break-inside:auto}\
        @media print{body{margin:10mm}h2{page-break-after:avoid}}
        """
}

/// Text for an HTML document, with every untrusted string escaped on the way in. Public so that
/// every HTML Tally writes (reports, the HTML part of scheduled mail) escapes the same way.
public struct HTMLText: Sendable {
    public private(set) var output = ""

    public init() {}

    /// Appends markup written by the renderer itself.
    public mutating func raw(_ markup: String) { output += markup }

    /// Appends text as character data or an attribute value: `& < > " '` escaped.
    public mutating func text(_ value: String) { output += Self.escape(value) }

    public static func escape(_ value: String) -> String {
        var result = ""
        result.reserveCapacity(value.utf8.count)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            // Control characters other than tab and line ends are not allowed in HTML text.
            case _ where scalar.value < 0x20 && scalar != "\t" && scalar != "\n" && scalar != "\r": result += "\u{FFFD}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
