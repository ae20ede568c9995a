import CXLSXWriter

/// Why a workbook could not be written: the libxlsxwriter call that failed and its own message,
/// so that a failed report job says which step broke rather than "error 7".
public struct XLSXError: Error, Sendable, CustomStringConvertible {
    public var description: String

    init(_ description: String) { self.description = "xlsx: " + description }

    /// An error for a libxlsxwriter call that returned `code`.
    init(_ call: String, code: lxw_error) {
        self.init("\(call) failed: \(String(cString: lxw_strerror(code))) (\(code.rawValue))")
    }

    /// Throws unless a libxlsxwriter call succeeded.
    static func check(_ code: lxw_error, _ call: @autoclosure () -> String) throws {
        guard code == LXW_NO_ERROR else { throw XLSXError(call(), code: code) }
    }
}
