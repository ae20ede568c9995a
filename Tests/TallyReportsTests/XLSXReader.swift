import Foundation
import Testing

/// A workbook as openpyxl (a reader Tally did not write) loads it, with what the tests check:
/// every non-empty cell with openpyxl's data type, the frozen panes, the charts, and the package's
/// zip entry times and core properties.
struct XLSXReadBack: Decodable {
    struct Cell: Decodable {
        var row: Int
        var column: Int
        /// openpyxl's `data_type`: `s` string, `n` number, `d` date, `f` formula, `b` boolean.
        var type: String
        var text: String?
        var number: Double?
        /// A date cell's value as `YYYY-MM-DDTHH:MM:SS[.ffffff]`.
        var date: String?
        var numberFormat: String
    }

    struct Sheet: Decodable {
        var name: String
        var freezePanes: String?
        /// The class of every chart openpyxl found on the sheet (`LineChart`, `BarChart`).
        var charts: [String]
        var cells: [Cell]

        func cell(_ row: Int, _ column: Int) -> Cell? { cells.first { $0.row == row && $0.column == column } }
        /// The first row (1-based) whose column A is the string `text`.
        func row(labelled text: String, after: Int = 0) -> Int? {
            cells.filter { $0.column == 1 && $0.row > after && $0.type == "s" && $0.text == text }.map(\.row).min()
        }
        var strings: [Cell] { cells.filter { $0.type == "s" } }
    }

    var sheets: [Sheet]
    /// Every zip entry's `date_time`, distinct.
    var zipDates: [String]
    /// docProps/core.xml's created time, as openpyxl reads it.
    var created: String?
    /// Worksheet parts containing a formula element, which Tally never writes.
    var partsWithFormulas: [String]

    func sheet(_ name: String) throws -> Sheet { try #require(sheets.first { $0.name == name }, "sheet \(name)") }

    static let program = """
        import datetime, json, re, sys, zipfile
        import openpyxl
        import openpyxl.reader.excel
        from openpyxl.cell.text import Text
        from openpyxl.xml.constants import SHEET_MAIN_NS
        from openpyxl.xml.functions import iterparse
        # Strings hold control characters as ECMA-376 escapes (_x000D_, Part 1 §22.9.2.19), and a
        # literal "_x" escaped as _x005F_. Excel decodes every escape in one pass; openpyxl only drops
        # "x005F_" and leaves the rest, so its shared-string reader is replaced by one that decodes
        # as Excel does (still parsed by openpyxl's own XML functions).
        ESCAPE = re.compile("_x([0-9A-Fa-f]{4})_")
        def read_string_table(xml_source):
            strings = []
            for _, node in iterparse(xml_source):
                if node.tag == "{%s}si" % SHEET_MAIN_NS:
                    strings.append(ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), Text.from_tree(node).content))
                    node.clear()
            return strings
        openpyxl.reader.excel.read_string_table = read_string_table
        path = sys.argv[1]
        # Not read-only: only the full loader reads the charts (into ws._charts). A file object,
        # because openpyxl refuses a path without an .xlsx extension.
        wb = openpyxl.load_workbook(open(path, "rb"))
        archive = zipfile.ZipFile(path)
        formulas = [n for n in archive.namelist() if n.startswith("xl/worksheets/") and re.search(rb"<f[ >]", archive.read(n))]
        def cell(c):
            out = {"row": c.row, "column": c.column, "type": c.data_type, "numberFormat": c.number_format}
            v = c.value
            if isinstance(v, datetime.datetime): out["date"] = v.isoformat()
            elif isinstance(v, bool): out["number"] = float(v)
            elif isinstance(v, (int, float)): out["number"] = v
            else: out["text"] = str(v)
            return out
        sheets = [{"name": ws.title, "freezePanes": ws.freeze_panes, "charts": [type(ch).__name__ for ch in ws._charts],
                   "cells": [cell(c) for row in ws.iter_rows() for c in row if c.value is not None]} for ws in wb.worksheets]
        created = wb.properties.created
        print(json.dumps({"sheets": sheets, "zipDates": sorted({"%04d-%02d-%02d %02d:%02d:%02d" % i.date_time for i in archive.infolist()}),
                          "created": created.isoformat() if created else None, "partsWithFormulas": formulas}))
        """

    static func read(_ bytes: [UInt8]) throws -> XLSXReadBack {
        try JSONDecoder().decode(XLSXReadBack.self, from: try PythonReader.run(program, input: bytes))
    }
}
