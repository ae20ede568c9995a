/// Worksheet names derived from section titles, valid for Excel: at most 31 characters, none of
/// `[ ] : * ? / \`, not starting or ending with an apostrophe, and unique ignoring case (as Excel
/// compares them). A clash gets ` (2)`, ` (3)`, … so that a section named twice still gets a sheet.
struct XLSXSheetNames {
    static let maximumLength = 31
    static let forbidden: Set<Character> = ["[", "]", ":", "*", "?", "/", "\\"]

    /// The names handed out so far, lowercased. `History` is reserved by Excel itself.
    private var taken: Set<String> = ["history"]

    /// A valid name not yet used, as close to `wanted` as Excel allows; records it as used.
    mutating func claim(_ wanted: String) -> String {
        var base = String(wanted.map { Self.forbidden.contains($0) || $0.isNewline || $0 == "\t" ? "_" : $0 })
        base = String(base.drop { $0 == "'" || $0 == " " }.reversed().drop { $0 == "'" || $0 == " " }.reversed())
        if base.isEmpty { base = "Sheet" }
        var candidate = Self.cut(base, to: Self.maximumLength)
        var number = 2
        while taken.contains(candidate.lowercased()) {
            let suffix = " (\(number))"
            candidate = Self.cut(base, to: Self.maximumLength - suffix.count) + suffix
            number += 1
        }
        taken.insert(candidate.lowercased())
        return candidate
    }

    /// The first `length` characters of `name`, counted as libxlsxwriter counts them (code points),
    /// without a trailing apostrophe or space left by the cut.
    private static func cut(_ name: String, to length: Int) -> String {
        var scalars = String.UnicodeScalarView(name.unicodeScalars.prefix(length))
        while let last = scalars.last, last == "'" || last == " " { scalars.removeLast() }
        return String(scalars)
    }
}
