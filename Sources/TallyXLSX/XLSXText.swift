/// Text as a string cell holds it: what libxlsxwriter would otherwise lose or refuse.
///
/// Every string is untrusted (bot ids, channels, reasons, titles) and is only ever written as a
/// shared-string cell, never as a formula, so `=HYPERLINK(...)` stays text. libxlsxwriter 1.1.4 has
/// no quote-prefix format (`format_set_quote_prefix` came later), so string cells are the whole
/// defence, and they are enough: a reader evaluates only `<f>` elements, which are never written.
enum XLSXText {
    /// Excel's limit on the characters of one cell; libxlsxwriter refuses longer strings.
    static let maximumLength = 32_767

    /// `text` ready for `worksheet_write_string`:
    /// - a literal `_xHHHH_` gets its underscore escaped as `_x005F_`, because the format reads
    ///   `_xHHHH_` as an escaped character (libxlsxwriter escapes control characters that way but
    ///   leaves such literals alone, so Excel would turn a bot id `_x0041_` into `A`);
    /// - NUL, which no XML can hold and which would end the C string, becomes U+FFFD;
    /// - text past Excel's limit is cut there.
    static func cell(_ text: String) -> String {
        var scalars = Array(text.unicodeScalars)
        if scalars.count > maximumLength { scalars = Array(scalars.prefix(maximumLength)) }
        var result = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\0" {
                result.append("\u{FFFD}")
            } else if scalar == "_", startsEscape(scalars, at: index) {
                // The underscore itself, escaped: `_x0041_` is written `_x005F_x0041_`.
                result.append(contentsOf: "_x005F_".unicodeScalars)
            } else {
                result.append(scalar)
            }
            index += 1
        }
        return String(result)
    }

    /// True when `_xHHHH_` (four hex digits) starts at `index`.
    private static func startsEscape(_ scalars: [Unicode.Scalar], at index: Int) -> Bool {
        guard index + 6 < scalars.count, scalars[index + 1] == "x", scalars[index + 6] == "_" else { return false }
        return scalars[(index + 2)..<(index + 6)].allSatisfy { $0.properties.isASCIIHexDigit }
    }
}
