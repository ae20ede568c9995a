/// A single-pass reader of one event's JSON object, straight from the message bytes.
///
/// Ingest decodes every message, so decoding sets the pace of the whole pipeline. A general JSON
/// decoder builds containers and boxes for every value; this scanner walks the bytes once, keeps
/// only the fields of the contract, skips everything else, and still rejects anything that is not
/// well-formed JSON. It reports the JSON type of a known field that is wrong by the field's name.
struct EventJSONScanner {
    /// Nesting deeper than this inside unknown fields is refused rather than followed.
    static let maximumDepth = 64

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    /// The first field of the wrong type; reported only once the whole document proved well-formed,
    /// because broken JSON is the more fundamental fault.
    private var fieldRejection: EventRejection?

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// Reads `input` as an event object; throws a rejection naming what is wrong.
    static func scan(_ input: [UInt8]) throws(EventRejection) -> WireEvent {
        let result: Result<WireEvent, EventRejection> = input.withUnsafeBufferPointer { buffer in
            var scanner = EventJSONScanner(buffer)
            do throws(EventRejection) {
                return .success(try scanner.document())
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    private mutating func document() throws(EventRejection) -> WireEvent {
        skipWhitespace()
        guard peek == UInt8(ascii: "{") else {
            // Valid JSON that is not an object is a different mistake from broken JSON.
            guard (try? skipValue(depth: 0)) != nil, (skipWhitespace(), index == bytes.count).1 else { throw Self.invalidJSON }
            throw EventRejection(.notAnObject, "the message value must be a JSON object")
        }
        let event = try object()
        skipWhitespace()
        guard index == bytes.count else { throw Self.invalidJSON }
        if let fieldRejection { throw fieldRejection }
        return event
    }

    private mutating func object() throws(EventRejection) -> WireEvent {
        var event = WireEvent()
        index += 1
        skipWhitespace()
        if peek == UInt8(ascii: "}") { index += 1; return event }
        while true {
            skipWhitespace()
            guard peek == UInt8(ascii: "\"") else { throw Self.invalidJSON }
            let key = try fieldName()
            skipWhitespace()
            guard peek == UInt8(ascii: ":") else { throw Self.invalidJSON }
            index += 1
            skipWhitespace()
            try field(key, into: &event)
            skipWhitespace()
            switch peek {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"): index += 1; return event
            default: throw Self.invalidJSON
            }
        }
    }

    /// Reads an object key and names the contract field it is, without allocating for the common
    /// unescaped case; nil for a key the contract does not know.
    private mutating func fieldName() throws(EventRejection) -> WireEvent.Field? {
        let start = index + 1
        let bytes = try rawString()
        if let bytes { return WireEvent.Field(bytes: bytes) }
        return WireEvent.Field(bytes: UnsafeBufferPointer(rebasing: self.bytes[start..<(index - 1)]))
    }

    /// Stores a known field's value, or skips an unknown one.
    private mutating func field(_ key: WireEvent.Field?, into event: inout WireEvent) throws(EventRejection) {
        guard let name = key else {
            try skipValue(depth: 1)
            return
        }
        if try skipNull() {
            event.set(name, nil)
            return
        }
        if name.isNumeric {
            guard let byte = peek, byte == UInt8(ascii: "-") || (byte >= 48 && byte <= 57) else {
                try skipValue(depth: 1)
                fieldRejection = fieldRejection ?? EventRejection(.invalidField, "field '\(name.rawValue)' has the wrong type")
                return
            }
            let parsed = try number()
            event.setNumber(name, parsed)
            if !parsed.isFinite {
                fieldRejection = fieldRejection ?? EventRejection(.invalidField, "field '\(name.rawValue)' is not a representable number")
            }
            return
        }
        guard peek == UInt8(ascii: "\"") else {
            try skipValue(depth: 1)
            fieldRejection = fieldRejection ?? EventRejection(.invalidField, "field '\(name.rawValue)' has the wrong type")
            return
        }
        let start = index + 1
        if let unescaped = try rawString() {
            event.set(name, String(decoding: unescaped, as: UTF8.self))
        } else {
            event.set(name, String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<(index - 1)]), as: UTF8.self))
        }
    }

    private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private mutating func skipNull() throws(EventRejection) -> Bool {
        guard peek == UInt8(ascii: "n") else { return false }
        try literal("null")
        return true
    }

    private mutating func literal(_ word: StaticString) throws(EventRejection) {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw Self.invalidJSON }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { throw Self.invalidJSON }
        index += count
    }

    /// Reads a string starting at its opening quote. Returns nil when it holds no escape (its bytes
    /// are then the ones between the quotes, read in place), else its unescaped UTF-8 bytes.
    @discardableResult
    private mutating func rawString() throws(EventRejection) -> [UInt8]? {
        index += 1
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return nil
            }
            if byte == UInt8(ascii: "\\") { break }
            guard byte >= 0x20 else { throw Self.invalidJSON }
            index += 1
        }
        var out = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return out
            case UInt8(ascii: "\\"):
                try escape(into: &out)
            case 0..<0x20:
                throw Self.invalidJSON
            default:
                out.append(byte)
            }
        }
        throw Self.invalidJSON
    }

    private mutating func escape(into out: inout [UInt8]) throws(EventRejection) {
        guard let byte = peek else { throw Self.invalidJSON }
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(byte)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hex4()
            if (0xD800...0xDBFF).contains(scalar) {
                // A high surrogate must be followed by an escaped low one.
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else { throw Self.invalidJSON }
                index += 2
                let low = try hex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw Self.invalidJSON }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw Self.invalidJSON
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw Self.invalidJSON }
            out.append(contentsOf: Array(String(Character(unicode)).utf8))
        default:
            throw Self.invalidJSON
        }
    }

    private mutating func hex4() throws(EventRejection) -> UInt32 {
        guard index + 4 <= bytes.count else { throw Self.invalidJSON }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case 48...57: digit = byte - 48
            case 65...70: digit = byte - 55
            case 97...102: digit = byte - 87
            default: throw Self.invalidJSON
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    /// Reads a JSON number with its exact grammar; returns it as a Double.
    private mutating func number() throws(EventRejection) -> Double {
        let start = index
        if peek == UInt8(ascii: "-") { index += 1 }
        guard let first = peek, first >= 48, first <= 57 else { throw Self.invalidJSON }
        var integer: Int64 = 0
        var simple = true
        if first == 48 {
            index += 1
        } else {
            while let digit = peek, digit >= 48, digit <= 57 {
                if integer > 100_000_000_000_000 { simple = false } else { integer = integer * 10 + Int64(digit - 48) }
                index += 1
            }
        }
        if peek == UInt8(ascii: ".") {
            simple = false
            index += 1
            guard try digits() > 0 else { throw Self.invalidJSON }
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            simple = false
            index += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { index += 1 }
            guard try digits() > 0 else { throw Self.invalidJSON }
        }
        if simple { return Double(bytes[start] == UInt8(ascii: "-") ? -integer : integer) }
        // Grammar was checked above; an out-of-range exponent yields infinity, judged by the caller.
        return Double(String(decoding: bytes[start..<index], as: UTF8.self)) ?? .infinity
    }

    private mutating func digits() throws(EventRejection) -> Int {
        let start = index
        while let digit = peek, digit >= 48, digit <= 57 { index += 1 }
        return index - start
    }

    /// Skips any JSON value, checking its grammar, up to `maximumDepth` levels deep.
    private mutating func skipValue(depth: Int) throws(EventRejection) {
        guard depth <= Self.maximumDepth else { throw EventRejection(.invalidJSON, "the message value nests too deeply") }
        skipWhitespace()
        guard let byte = peek else { throw Self.invalidJSON }
        switch byte {
        case UInt8(ascii: "\""): try rawString()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "-"), 48...57: _ = try number()
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            let isObject = byte == UInt8(ascii: "{")
            let close = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
            index += 1
            skipWhitespace()
            if peek == close { index += 1; return }
            while true {
                skipWhitespace()
                if isObject {
                    guard peek == UInt8(ascii: "\"") else { throw Self.invalidJSON }
                    try rawString()
                    skipWhitespace()
                    guard peek == UInt8(ascii: ":") else { throw Self.invalidJSON }
                    index += 1
                }
                try skipValue(depth: depth + 1)
                skipWhitespace()
                guard let next = peek else { throw Self.invalidJSON }
                index += 1
                if next == close { return }
                guard next == UInt8(ascii: ",") else { throw Self.invalidJSON }
            }
        default:
            throw Self.invalidJSON
        }
    }

    private static let invalidJSON = EventRejection(.invalidJSON, "the message value is not valid JSON")
}
