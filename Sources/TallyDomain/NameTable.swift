/// Numbers distinct texts in the order first seen, so that a fold keys its rollups by integers
/// (see `RollupFold`).
struct NameTable: Sendable {
    private(set) var names: [String] = []
    private var numbers: [String: Int32] = [:]

    mutating func number(of name: String) -> Int32 {
        if let number = numbers[name] { return number }
        let number = Int32(names.count)
        names.append(name)
        numbers[name] = number
        return number
    }
}
