import TallyDomain

extension TallyStore {
    /// Computes several reports from one consistent snapshot of the store, so that every answer of
    /// a batch reflects the same commit, as the parts of one report do.
    public func reportsAsync(_ requests: [(definition: ReportDefinition, tenant: String, window: ReportWindow)]) async throws(StoreError) -> [ReportResult] {
        try await readAsync { db in
            let reader = SnapshotReader(db: db)
            let calculator = ReportCalculator()
            return try requests.map { try calculator.compute($0.definition, tenant: $0.tenant, window: $0.window, from: reader) }
        }
    }
}
