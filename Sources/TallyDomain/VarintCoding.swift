/// LEB128 varints with zigzag signs: the compact form of the conversation rollups' stored lists.
///
/// Stored bytes outlive the code that wrote them and may be damaged, so reading is bounds-checked
/// and reports a `VarintCoding.DecodingError` instead of trapping.
public enum VarintCoding {
    /// Why stored bytes could not be read back.
    public enum DecodingError: Error, Sendable, Equatable {
        /// The input ended inside a value, or before the values it announced.
        case truncated
        /// A value needs more than 64 bits.
        case overlong
        /// The leading version byte names a layout this code does not read.
        case unsupportedVersion(UInt8)
        /// The values break an invariant of their layout (e.g. not ascending).
        case invalid(String)
        /// Bytes remain after the last value.
        case trailingBytes(Int)
    }

    /// Appends `value` zigzag-encoded, so that small negative numbers stay short too.
    public static func append(_ value: Int64, to bytes: inout [UInt8]) {
        appendUnsigned(UInt64(bitPattern: (value << 1) ^ (value >> 63)), to: &bytes)
    }

    public static func appendUnsigned(_ value: UInt64, to bytes: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// A cursor over stored bytes.
    public struct Reader {
        private let bytes: [UInt8]
        private var offset = 0

        public init(_ bytes: some Collection<UInt8>) { self.bytes = Array(bytes) }

        public var isAtEnd: Bool { offset == bytes.count }

        public mutating func byte() throws(DecodingError) -> UInt8 {
            guard offset < bytes.count else { throw .truncated }
            defer { offset += 1 }
            return bytes[offset]
        }

        public mutating func unsigned() throws(DecodingError) -> UInt64 {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                let byte = try byte()
                guard shift < 64, shift < 63 || byte <= 1 else { throw .overlong }
                value |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { return value }
                shift += 7
            }
        }

        public mutating func signed() throws(DecodingError) -> Int64 {
            let raw = try unsigned()
            return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
        }

        /// Throws unless every byte was read.
        public func finish() throws(DecodingError) {
            if offset != bytes.count { throw .trailingBytes(bytes.count - offset) }
        }
    }
}
