/// The query of `GET /api/v1/platform/report/list`, in ChatBotKit's list conventions: at most
/// `take` reports, ordered by id (`order` asc or desc), starting after the report whose id is
/// `cursor`. The next page's cursor is the last id of a page, so the answer needs no cursor of its
/// own; a page shorter than `take` is the last.
struct ReportListQuery: Equatable {
    enum Order: String, CaseIterable {
        case asc, desc
    }

    static let takeRange = 1...100

    /// Without `take`, every report (the whole catalog, as the list has always answered).
    var take: Int?
    var cursor: String?
    var order = Order.asc

    /// Parses `take`, `cursor` and `order`; an empty value means the default, anything else that
    /// does not parse is a 400 naming the parameter. Other parameters (the SDK's `meta.*`) are ignored.
    static func parse(_ query: (String) -> Substring?) throws(APIError) -> ReportListQuery {
        var parsed = ReportListQuery()
        if let take = nonEmpty(query("take")) {
            guard let number = Int(take), takeRange.contains(number) else {
                throw .badRequest("invalid_parameter", "take must be an integer from \(takeRange.lowerBound) to \(takeRange.upperBound)")
            }
            parsed.take = number
        }
        if let order = nonEmpty(query("order")) {
            guard let known = Order(rawValue: order) else { throw .badRequest("invalid_parameter", "order must be asc or desc") }
            parsed.order = known
        }
        parsed.cursor = nonEmpty(query("cursor"))
        return parsed
    }

    /// The page of `items` this query selects, by `id`.
    ///
    /// A cursor must be the id of a listed report: paging goes from a page's last id, and anything
    /// else is a client's mistake, better refused than answered with a guessed position.
    func page<Item>(of items: [Item], id: (Item) -> String) throws(APIError) -> [Item] {
        let ascending = items.sorted { id($0) < id($1) }
        let ordered = order == .asc ? ascending : ascending.reversed()
        var start = ordered.startIndex
        if let cursor {
            guard let position = ordered.firstIndex(where: { id($0) == cursor }) else {
                throw .badRequest("invalid_parameter", "cursor must be the id of a listed report (the last id of the previous page); '\(cursor.prefix(64))' is none")
            }
            start = ordered.index(after: position)
        }
        let rest = ordered[start...]
        return Array(take.map { rest.prefix($0) } ?? rest)
    }

    private static func nonEmpty(_ value: Substring?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return String(value)
    }
}
