/// One page of an audit listing, in the JSON shape of `GET /api/v1/platform/audit` and
/// `tally audit list --json`: `{"items", "total", "limit", "offset"}`, as the Reports API's lists.
public struct AuditPage: Sendable, Equatable, Encodable {
    /// Newest first.
    public var items: [AuditRecord]
    /// How many entries match the filters in all, beyond this page too.
    public var total: Int
    public var limit: Int
    public var offset: Int

    public init(items: [AuditRecord], total: Int, limit: Int, offset: Int) {
        self.items = items
        self.total = total
        self.limit = limit
        self.offset = offset
    }
}
