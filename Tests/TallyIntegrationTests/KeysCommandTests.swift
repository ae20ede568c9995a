import Foundation
import Testing

/// `tally keys create` refuses a `--user-id` that no event could carry, so no key can be bound to a
/// slice's storage key (`RollupScope`) or carry a line break into a header.
@Suite("Keys command input")
struct KeysCommandTests {
    @Test("a --user-id with a control character is refused and creates no key", arguments: ["t1\u{1F}botId\u{1F}b1", "t1\r\nX: 1", "t1\u{7F}"])
    func controlCharacters(userId: String) throws {
        let binary = try TestEnvironment.tallyBinary()
        let directory = TestEnvironment.temporaryDirectory("keys-input")
        let refused = try TallyCommand.run(binary, ["keys", "create", "--data-dir", directory, "--role", "report_viewer", "--user-id", userId])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("--user-id must be 1 to 128 characters without control characters"), "\(refused.stderr)")
        #expect(refused.stdout.isEmpty, "no secret printed")
        let listed = try TallyCommand.run(binary, ["keys", "list", "--data-dir", directory])
        #expect(listed.status == 0)
        #expect(!listed.stdout.contains("t1"), "\(listed.stdout)")
    }
}
