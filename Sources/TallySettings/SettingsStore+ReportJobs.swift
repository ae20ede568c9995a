import GRDB

/// Report jobs: made by the report job commands, read by plain queries.
extension SettingsStore {
    /// How a list of jobs is narrowed, ordered and paged.
    public struct ReportJobQuery: Sendable, Equatable {
        public enum Sort: String, Sendable, CaseIterable { case createdAt = "created_at", name, type }

        /// Only this tenant's jobs (a tenant key's, or a platform key's `user_id` filter).
        public var userId: String?
        public var type: String?
        public var state: ReportJob.State?
        /// Created strictly after / before these instants (ms since the epoch).
        public var createdAfterMillis: Int64?
        public var createdBeforeMillis: Int64?
        public var sort: Sort = .createdAt
        public var descending = true
        public var limit = 20
        public var offset = 0

        public init() {}
    }

    /// One job, or nil; off the caller's thread.
    public func reportJob(id: String) async throws(SettingsError) -> ReportJob? {
        try await readAsync { db in
            try Row.fetchOne(db, sql: "SELECT \(ReportJobRows.columns) FROM report_jobs WHERE id = ?", arguments: [id]).map(ReportJobRows.job)
        }
    }

    /// One page of the jobs `query` selects, and how many it selects in all.
    public func reportJobs(_ query: ReportJobQuery) async throws(SettingsError) -> (items: [ReportJob], total: Int) {
        var conditions: [String] = []
        var arguments: [any DatabaseValueConvertible & Sendable] = []
        if let userId = query.userId { conditions.append("user_id = ?"); arguments.append(userId) }
        if let type = query.type { conditions.append("type = ?"); arguments.append(type) }
        if let state = query.state { conditions.append("state = ?"); arguments.append(state.rawValue) }
        if let after = query.createdAfterMillis { conditions.append("created_at > ?"); arguments.append(after) }
        if let before = query.createdBeforeMillis { conditions.append("created_at < ?"); arguments.append(before) }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let column = switch query.sort { case .createdAt: "created_at"; case .name: "title"; case .type: "type" }
        let direction = query.descending ? "DESC" : "ASC"
        // Ties broken by id in the same direction, so pages never overlap or skip.
        let order = "ORDER BY \(column) \(direction), id \(direction)"
        let limit = query.limit, offset = query.offset
        let sqlArguments = StatementArguments(arguments.map { $0 as (any DatabaseValueConvertible)? })
        return try await readAsync { db in
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM report_jobs \(filter)", arguments: sqlArguments) ?? 0
            let items = try Row.fetchAll(db, sql: "SELECT \(ReportJobRows.columns) FROM report_jobs \(filter) \(order) LIMIT ? OFFSET ?",
                                         arguments: sqlArguments + [limit, offset]).map(ReportJobRows.job)
            return (items, total)
        }
    }

    /// How many jobs are pending and how many running, for the metrics.
    public func unfinishedReportJobCounts() async throws(SettingsError) -> [String: Int] {
        try await readAsync { db in
            var counts = ["pending": 0, "running": 0]
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) FROM report_jobs WHERE state IN ('pending', 'running') GROUP BY state") {
                counts[row[0]] = row[1]
            }
            return counts
        }
    }

    /// How many jobs wait to start: what `--report-queue` bounds.
    public func pendingReportJobCount() async throws(SettingsError) -> Int {
        try await readAsync { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM report_jobs WHERE state = 'pending'") ?? 0 }
    }

    /// The jobs to run at start-up, oldest first: pending ones, and running ones whose process
    /// stopped before they completed.
    public func unfinishedReportJobs() async throws(SettingsError) -> [ReportJob] {
        try await readAsync { db in
            try Row.fetchAll(db, sql: """
                SELECT \(ReportJobRows.columns) FROM report_jobs WHERE state IN ('pending', 'running') ORDER BY created_at, id
                """).map(ReportJobRows.job)
        }
    }
}
