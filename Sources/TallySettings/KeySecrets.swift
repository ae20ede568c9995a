import TallyDomain

/// How key secrets and ids look, and how a secret is turned into what is stored.
///
/// The format is the one keys have had since the first version (`tly_` and 48 hex digits, ids
/// `key_` and 12), so keys created before the settings store keep working unchanged.
public enum KeySecrets {
    /// A new secret: 24 random bytes from the system's generator.
    public static func newSecret() -> String { "tly_" + randomHex(bytes: 24) }

    /// A new key id, short enough to type into `tally keys revoke`.
    public static func newKeyId() -> String { "key_" + randomHex(bytes: 6) }

    /// What is stored for a secret, and what a presented secret is looked up by.
    public static func sha256(_ secret: String) -> String { SHA256.hex(Array(secret.utf8)) }

    /// `bytes` random bytes as lowercase hex, from the system's secure generator: secrets, and the
    /// ids of keys, reports, templates and schedules.
    public static func randomHex(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in
            let byte = UInt8.random(in: 0...255, using: &generator)
            return (byte < 16 ? "0" : "") + String(byte, radix: 16)
        }.joined()
    }
}
