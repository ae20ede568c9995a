import GRDB

extension TallyStore {
    /// Every tenant with counters in the store, in id order, off the caller's thread: the
    /// dashboard's tenant picker. Slice keys (`tenant ␟ dimension ␟ value`) are left out, since a
    /// slice's tenant always has counters of its own.
    public func tenantIds() async throws(StoreError) -> [String] {
        try await readAsync { db in
            try String.fetchAll(db, sql: "SELECT DISTINCT tenant FROM daily_counters WHERE instr(tenant, char(31)) = 0 ORDER BY tenant")
        }
    }
}
