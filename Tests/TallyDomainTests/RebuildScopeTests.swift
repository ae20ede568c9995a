import Testing
import TallyDomain

/// The scope of a partial rebuild: which tenant-days it replaces and which messages it reads.
@Suite("Rebuild scope")
struct RebuildScopeTests {
    let first = Day(year: 2026, month: 2, day: 10)!
    let last = Day(year: 2026, month: 2, day: 20)!

    @Test("no option is everything")
    func everything() {
        let scope = RebuildScope()
        #expect(scope.isEverything && !scope.isDateBounded)
        #expect(scope.contains(tenant: "a", day: Day(number: -5)) && scope.admits(key: nil))
        #expect(scope.description == "everything")
    }

    @Test("a tenant and a range: bounds inclusive, either bound alone")
    func tenantAndRange() {
        let scope = RebuildScope(tenant: "u-1", firstDay: first, lastDay: last)
        #expect(scope.contains(tenant: "u-1", day: first) && scope.contains(tenant: "u-1", day: last))
        #expect(!scope.contains(tenant: "u-1", day: first.advanced(by: -1)) && !scope.contains(tenant: "u-1", day: last.advanced(by: 1)))
        #expect(!scope.contains(tenant: "u-2", day: first))
        #expect(scope.description == "userId u-1, 2026-02-10 to 2026-02-20")
        #expect(RebuildScope(firstDay: first).contains(tenant: "x", day: Day(number: 90_000)))
        #expect(!RebuildScope(lastDay: last).contains(tenant: "x", day: last.advanced(by: 1)))
        #expect(RebuildScope(lastDay: last).description == "through 2026-02-20")
    }

    @Test("a tenant scope admits only messages keyed by the tenant")
    func keys() {
        let scope = RebuildScope(tenant: "u-1")
        #expect(scope.admits(key: Array("u-1".utf8)))
        #expect(!scope.admits(key: Array("u-10".utf8)) && !scope.admits(key: []) && !scope.admits(key: nil))
        #expect(RebuildScope(firstDay: first).admits(key: Array("anyone".utf8)))
    }
}
