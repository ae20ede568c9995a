/// SHA-256 as specified by FIPS 180-4 (Secure Hash Standard), section 6.2.
///
/// Tally never stores API keys themselves, only their SHA-256 digests: a presented key is hashed and the digest
/// looked up, so a leaked database does not leak usable keys. The domain module depends on nothing but the standard
/// library, and on Linux Foundation offers no SHA-256 (CryptoKit is Apple-only), hence this small implementation.
///
/// Keys are long random tokens, so a plain unsalted hash is the right tool here; this is not a password hash.
public enum SHA256 {
    /// The digest of `bytes` as 64 lowercase hexadecimal characters, the form stored and compared by the key store.
    public static func hex(_ bytes: some Collection<UInt8>) -> String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in digest(bytes) {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The 32-byte digest of `bytes`.
    ///
    /// Contiguous input (arrays, `String.UTF8View` of native strings, buffers) is hashed in place; any other
    /// collection is copied into an array first.
    public static func digest(_ bytes: some Collection<UInt8>) -> [UInt8] {
        if let result = bytes.withContiguousStorageIfAvailable({ digest(of: UnsafeRawBufferPointer($0)) }) {
            return result
        }
        return Array(bytes).withUnsafeBytes { digest(of: $0) }
    }

    /// The round constants K₀…K₆₃: the first 32 bits of the fractional parts of the cube roots of the first 64 primes.
    private static let roundConstants: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]

    /// The initial hash value H⁽⁰⁾: the first 32 bits of the fractional parts of the square roots of the first 8 primes.
    private static let initialHash: [UInt32] = [
        0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19,
    ]

    /// Hashes a contiguous message: whole 64-byte blocks straight from the input, then one or two padded tail blocks.
    private static func digest(of message: UnsafeRawBufferPointer) -> [UInt8] {
        var state = initialHash
        let constants = roundConstants

        state.withUnsafeMutableBufferPointer { state in
            constants.withUnsafeBufferPointer { constants in
                withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { schedule in
                    let wholeBlocks = message.count / 64
                    for block in 0..<wholeBlocks {
                        compress(
                            block: UnsafeRawBufferPointer(rebasing: message[block * 64..<block * 64 + 64]),
                            state: state, constants: constants, schedule: schedule)
                    }

                    // Padding (FIPS 180-4 §5.1.1): the leftover bytes, a single 1 bit, zeros, and the message length
                    // in bits as a 64-bit big-endian integer, filling one block if it fits and two otherwise.
                    let leftover = message.count - wholeBlocks * 64
                    withUnsafeTemporaryAllocation(byteCount: 128, alignment: 8) { tail in
                        tail.initializeMemory(as: UInt8.self, repeating: 0)
                        if leftover > 0 {
                            tail.copyMemory(from: UnsafeRawBufferPointer(rebasing: message[(wholeBlocks * 64)...]))
                        }
                        tail[leftover] = 0x80
                        let tailLength = leftover < 56 ? 64 : 128
                        let bitLength = UInt64(truncatingIfNeeded: message.count) &* 8
                        tail.storeBytes(of: bitLength.bigEndian, toByteOffset: tailLength - 8, as: UInt64.self)
                        for start in stride(from: 0, to: tailLength, by: 64) {
                            compress(
                                block: UnsafeRawBufferPointer(rebasing: tail[start..<start + 64]),
                                state: state, constants: constants, schedule: schedule)
                        }
                    }
                }
            }
        }

        var output: [UInt8] = []
        output.reserveCapacity(32)
        for word in state {
            output.append(UInt8(truncatingIfNeeded: word >> 24))
            output.append(UInt8(truncatingIfNeeded: word >> 16))
            output.append(UInt8(truncatingIfNeeded: word >> 8))
            output.append(UInt8(truncatingIfNeeded: word))
        }
        return output
    }

    /// Applies the compression function to one 64-byte block (FIPS 180-4 §6.2.2), updating `state` in place.
    @inline(__always)
    private static func compress(
        block: UnsafeRawBufferPointer,
        state: UnsafeMutableBufferPointer<UInt32>,
        constants: UnsafeBufferPointer<UInt32>,
        schedule: UnsafeMutableBufferPointer<UInt32>
    ) {
        // Message schedule W₀…W₆₃: the block's sixteen big-endian words, then the σ₀/σ₁ recurrence.
        for t in 0..<16 {
            schedule[t] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: t * 4, as: UInt32.self))
        }
        for t in 16..<64 {
            let w15 = schedule[t - 15]
            let w2 = schedule[t - 2]
            let sigma0 = rotateRight(w15, 7) ^ rotateRight(w15, 18) ^ (w15 >> 3)
            let sigma1 = rotateRight(w2, 17) ^ rotateRight(w2, 19) ^ (w2 >> 10)
            schedule[t] = sigma1 &+ schedule[t - 7] &+ sigma0 &+ schedule[t - 16]
        }

        var a = state[0]
        var b = state[1]
        var c = state[2]
        var d = state[3]
        var e = state[4]
        var f = state[5]
        var g = state[6]
        var h = state[7]

        for t in 0..<64 {
            let bigSigma1 = rotateRight(e, 6) ^ rotateRight(e, 11) ^ rotateRight(e, 25)
            let choose = (e & f) ^ (~e & g)
            let temp1 = h &+ bigSigma1 &+ choose &+ constants[t] &+ schedule[t]
            let bigSigma0 = rotateRight(a, 2) ^ rotateRight(a, 13) ^ rotateRight(a, 22)
            let majority = (a & b) ^ (a & c) ^ (b & c)
            let temp2 = bigSigma0 &+ majority
            h = g
            g = f
            f = e
            e = d &+ temp1
            d = c
            c = b
            b = a
            a = temp1 &+ temp2
        }

        state[0] &+= a
        state[1] &+= b
        state[2] &+= c
        state[3] &+= d
        state[4] &+= e
        state[5] &+= f
        state[6] &+= g
        state[7] &+= h
    }

    @inline(__always)
    private static func rotateRight(_ value: UInt32, _ count: UInt32) -> UInt32 {
        (value >> count) | (value << (32 - count))
    }
}
