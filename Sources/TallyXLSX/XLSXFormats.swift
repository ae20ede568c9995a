import CXLSXWriter
import TallyDomain

/// The workbook's cell formats, made once per workbook and shared by its sheets.
///
/// Figures keep their exactness: counts show as integers and hundredths with two decimals, but
/// the cell holds the number itself. Dates are serial numbers shown as `yyyy-mm-dd`, times (UTC)
/// as `yyyy-mm-dd hh:mm:ss.000`.
struct XLSXFormats {
    /// A block's title row: bold and a little larger.
    let title: UnsafeMutablePointer<lxw_format>
    /// A column header row: bold with a rule below.
    let header: UnsafeMutablePointer<lxw_format>
    let count: UnsafeMutablePointer<lxw_format>
    let hundredths: UnsafeMutablePointer<lxw_format>
    let date: UnsafeMutablePointer<lxw_format>
    let dateTime: UnsafeMutablePointer<lxw_format>

    init(_ workbook: XLSXWorkbook) throws {
        title = try workbook.addFormat { format in
            format_set_bold(format)
            format_set_font_size(format, 13)
        }
        header = try workbook.addFormat { format in
            format_set_bold(format)
            format_set_bottom(format, UInt8(LXW_BORDER_THIN.rawValue))
        }
        count = try workbook.addFormat { format_set_num_format($0, "#,##0") }
        hundredths = try workbook.addFormat { format_set_num_format($0, "#,##0.00") }
        date = try workbook.addFormat { format_set_num_format($0, "yyyy-mm-dd") }
        dateTime = try workbook.addFormat { format_set_num_format($0, "yyyy-mm-dd hh:mm:ss.000") }
    }

    /// The format that shows `number` as exactly as the document holds it.
    func figure(_ number: ReportNumber) -> UnsafeMutablePointer<lxw_format> {
        switch number {
        case .count: count
        case .hundredths: hundredths
        }
    }
}
