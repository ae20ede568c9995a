import Foundation
import TallyDomain

/// Writes a `MailMessage` as an RFC 5322 message with MIME (RFC 2045–2047): a multipart/mixed of a
/// multipart/alternative (plain text, then HTML) and the report as an attachment.
///
/// Every body part is base64, so no line of the message is longer than 78 characters and no
/// byte of a report or of a text can end a part early: base64 never holds the `=_` that starts
/// each boundary. A subject that is not plain ASCII is an RFC 2047 encoded word. The output is
/// deterministic (the boundary derives from the Message-ID), so a message can be compared with
/// what was sent.
public enum MIMEWriter {
    public static func bytes(of message: MailMessage) -> [UInt8] {
        let boundary = "=_tally_mixed_" + String(SHA256.hex(Array(message.messageId.utf8)).prefix(24))
        let alternative = "=_tally_alt_" + String(SHA256.hex(Array(("alt:" + message.messageId).utf8)).prefix(24))
        var out = ""
        func line(_ text: String = "") { out += text + "\r\n" }
        line("From: \(message.from.value)")
        line("To: \(message.to.value)")
        line("Subject: \(encodedSubject(message.subject))")
        line("Date: \(rfc5322Date(millis: message.dateMillis))")
        line("Message-ID: <\(message.messageId)>")
        line("MIME-Version: 1.0")
        // Parameters go on folded lines of their own, so no header line passes 78 characters.
        line("Content-Type: multipart/mixed;\r\n boundary=\"\(boundary)\"")
        line()
        line("--\(boundary)")
        line("Content-Type: multipart/alternative;\r\n boundary=\"\(alternative)\"")
        line()
        for (type, body) in [("text/plain", message.text), ("text/html", message.html)] {
            line("--\(alternative)")
            line("Content-Type: \(type); charset=utf-8")
            line("Content-Transfer-Encoding: base64")
            line()
            out += base64Lines(Array(body.utf8))
        }
        line("--\(alternative)--")
        if let attachment = message.attachment {
            line("--\(boundary)")
            line("Content-Type: \(attachment.contentType);\r\n name=\"\(attachment.fileName)\"")
            line("Content-Disposition: attachment;\r\n filename=\"\(attachment.fileName)\"")
            line("Content-Transfer-Encoding: base64")
            line()
            out += base64Lines(attachment.bytes)
        }
        line("--\(boundary)--")
        return Array(out.utf8)
    }

    /// ASCII subjects as they are; others as one or more `=?UTF-8?B?…?=` words of at most 75 characters.
    static func encodedSubject(_ subject: String) -> String {
        guard !subject.unicodeScalars.contains(where: { !$0.isASCII }) else {
            var words: [[UInt8]] = []
            var chunk: [UInt8] = []
            for character in subject {
                let bytes = Array(String(character).utf8)
                // 39 bytes encode to 52 characters: with the 12 of `=?UTF-8?B?` and `?=`, and the 9 of
                // `Subject: ` on the first line, no line passes 78.
                if chunk.count + bytes.count > 39 { words.append(chunk); chunk = [] }
                chunk += bytes
            }
            if !chunk.isEmpty { words.append(chunk) }
            return words.map { "=?UTF-8?B?" + base64($0) + "?=" }.joined(separator: "\r\n ")
        }
        return subject
    }

    /// `Tue, 01 Dec 2026 08:00:00 +0000`.
    static func rfc5322Date(millis: Int64) -> String {
        let day = Day(epochMillis: millis)
        let seconds = (millis - Int64(day.number) * 86_400_000) / 1000
        let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][Int(((Int64(day.number) % 7) + 7) % 7)]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let parts = day.iso.split(separator: "-").compactMap { Int($0) }
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(weekday), \(two(Int64(parts[2]))) \(months[parts[1] - 1]) \(parts[0]) \(two(seconds / 3600)):\(two(seconds / 60 % 60)):\(two(seconds % 60)) +0000"
    }

    /// Base64 in lines of 76 characters, each ended by CRLF.
    static func base64Lines(_ bytes: [UInt8]) -> String {
        let encoded = Array(base64(bytes).utf8)
        var out = ""
        out.reserveCapacity(encoded.count + encoded.count / 38 + 2)
        var index = 0
        while index < encoded.count {
            let end = min(encoded.count, index + 76)
            out += String(decoding: encoded[index..<end], as: UTF8.self) + "\r\n"
            index = end
        }
        return out
    }

    static func base64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }
}
