import Foundation
import Testing
import TallyDomain
import TallyMail
import TallyTestSupport

/// Mail sent through libcurl to a real SMTP server on loopback (aiosmtpd), read back by Python's
/// email package: headers, both bodies, and the attachment's bytes.
@Suite("SMTP delivery")
struct SMTPDeliveryTests {
    static let from = try! MailAddress("reports@tally.example")

    static func message(to: String, subject: String = "Weekly report — Résumé <b>Q4</b> =SUM(A1)", attachment: [UInt8] = []) throws(MailError) -> MailMessage {
        try MailMessage(from: from, to: MailAddress(to), subject: subject, messageId: "sched-1.1767225600.\(SHA256.hex(Array(to.utf8)).prefix(16))@tally", dateMillis: 1_767_225_600_000,
                        text: "Conversations: 1,234\nMessages: 5,678\n", html: "<p>Conversations: <b>1,234</b></p>",
                        attachment: attachment.isEmpty ? nil : MailMessage.Attachment(fileName: "usage-report-2026-11-01-2026-11-30.pdf",
                                                                                      contentType: "application/pdf", bytes: attachment))
    }

    @Test("CR and LF in a subject, an address or a file name are refused when the message is made")
    func headerInjectionRefused() throws {
        #expect(throws: MailError.self) { try Self.message(to: "a@example.com", subject: "Hi\r\nBcc: victim@example.com") }
        #expect(throws: MailError.self) { try Self.message(to: "a@example.com", subject: "Hi\nX-Evil: 1") }
        #expect(throws: MailError.self) { try MailAddress("a@example.com\r\nRCPT TO:<b@example.com>") }
        #expect(throws: MailError.self) { try MailAddress("Name <a@example.com>") }
        #expect(throws: MailError.self) { try MailAddress("no-at-sign") }
        #expect(throws: MailError.self) {
            try MailMessage(from: Self.from, to: MailAddress("a@example.com"), subject: "s", messageId: "a@b@c", dateMillis: 0, text: "", html: "")
        }
        #expect(throws: MailError.self) { try MailMessage.Attachment(fileName: "a\".pdf", contentType: "application/pdf", bytes: []) }
        #expect(throws: MailError.self) { try MailMessage.Attachment(fileName: "a.pdf\r\nX: y", contentType: "application/pdf", bytes: []) }
        do {
            _ = try Self.message(to: "a@example.com", subject: "x\ry")
        } catch {
            #expect(error.code == .invalidHeader && error.message.contains("CR or LF"))
        }
    }

    @Test("each recipient gets its own transfer: refused ones fail alone with 550, the others arrive whole")
    func deliversAndParsesBack() throws {
        let sink = try SMTPSink(rejecting: ["reject-*@example.com"])
        defer { sink.stop() }
        let sender = SMTPSender(configuration: try SMTPConfiguration(url: "smtp://127.0.0.1:\(sink.port)", from: Self.from, timeoutSeconds: 20))
        var random = SeededRandom(seed: 9)
        let report = (0..<200_000).map { _ in UInt8(random.int(in: 0...255)) }
        var replies: [String: SMTPSender.Reply] = [:]
        var refused: [String: MailError] = [:]
        for recipient in ["a@example.com", "reject-b@example.com", "c@example.com"] {
            do { replies[recipient] = try sender.send(try Self.message(to: recipient, attachment: report)) } catch { refused[recipient] = error }
        }
        #expect(Set(replies.keys) == ["a@example.com", "c@example.com"])
        #expect(replies.values.allSatisfy { $0.code == 250 && $0.text.contains("stored as") }, "\(replies)")
        let rejection = try #require(refused["reject-b@example.com"])
        #expect(rejection.code == .rejected && rejection.replyCode == 550 && !rejection.isTransient, "\(rejection)")

        let files = sink.messages()
        #expect(files.count == 2)
        let program = """
            import email, email.policy, hashlib, json, sys
            out = []
            for path in sys.argv[2:]:
                m = email.message_from_binary_file(open(path, "rb"), policy=email.policy.default)
                parts = {p.get_content_type(): p for p in m.walk() if not p.is_multipart()}
                a = parts["application/pdf"]
                out.append({"from": str(m["From"]), "to": str(m["To"]), "subject": str(m["Subject"]), "id": str(m["Message-ID"]),
                            "date": str(m["Date"]), "text": parts["text/plain"].get_content(), "html": parts["text/html"].get_content(),
                            "filename": a.get_filename(), "disposition": a.get_content_disposition(),
                            "sha256": hashlib.sha256(a.get_content()).hexdigest(), "defects": [str(d) for p in m.walk() for d in p.defects],
                            "longest_line": max(len(l) for l in open(path, "rb").read().split(b"\\r\\n"))})
            print(json.dumps(out))
            """
        struct Parsed: Decodable {
            var from, to, subject, id, date, text, html, filename, disposition, sha256: String
            var defects: [String]
            var longest_line: Int
        }
        let parsed = try JSONDecoder().decode([Parsed].self, from: try VenvPython.run(["-c", program], input: Data(), trailing: files.map(\.path)))
        #expect(parsed.map(\.to).sorted() == ["a@example.com", "c@example.com"])
        for message in parsed {
            let expected = try Self.message(to: message.to, attachment: report)
            #expect(message.from == "reports@tally.example")
            #expect(message.subject == expected.subject, "the non-ASCII subject decodes back exactly, its markup as text")
            #expect(message.id == "<\(expected.messageId)>")
            #expect(message.date == "Thu, 01 Jan 2026 00:00:00 +0000")
            #expect(message.text == expected.text && message.html == expected.html)
            #expect(message.filename == "usage-report-2026-11-01-2026-11-30.pdf" && message.disposition == "attachment")
            #expect(message.sha256 == SHA256.hex(report), "the attachment's bytes arrive unchanged")
            #expect(message.defects.isEmpty, "\(message.defects)")
            #expect(message.longest_line <= 78)
        }
    }

    @Test("a server that is down is reported as unreachable, which a retry may get past")
    func serverDown() throws {
        let port = FreePort.next()
        let sender = SMTPSender(configuration: try SMTPConfiguration(url: "smtp://127.0.0.1:\(port)", from: Self.from, timeoutSeconds: 5))
        do {
            _ = try sender.send(try Self.message(to: "a@example.com"))
            Issue.record("sending to a closed port succeeded")
        } catch {
            #expect(error.code == .unreachable && error.isTransient, "\(error)")
        }
        // Once a server listens there, the same sender delivers.
        let sink = try SMTPSink(port: port)
        defer { sink.stop() }
        #expect(try sender.send(try Self.message(to: "a@example.com")).code == 250)
        #expect(sink.messages().count == 1)
    }
}
