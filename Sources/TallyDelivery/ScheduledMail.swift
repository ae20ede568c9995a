import TallyDomain
import TallyMail
import TallyReports
import TallySettings

/// The message one recipient of a run gets: a plain-text and an HTML body with the report's key
/// figures, and the report attached, or linked when it is larger than `--mail-attachment-max`.
///
/// Every text from a schedule or the document (title, figures' labels) is user or event data: the
/// HTML part escapes it, and `MailMessage` refuses CR and LF in the subject, so nothing becomes a
/// header or markup.
enum ScheduledMail {
    /// The `Message-ID` of (schedule, instant, recipient): the same for every copy of that
    /// delivery, so that a duplicate, if one ever happens, is recognisable as one.
    static func messageId(scheduleId: String, scheduledAtMillis: Int64, recipient: String, from: MailAddress) -> String {
        let domain = from.value.split(separator: "@").last.map(String.init) ?? "tally"
        let recipientHash = SHA256.hex(Array(recipient.utf8)).prefix(16)
        let safeId = String(scheduleId.unicodeScalars.filter { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-") })
        return "schedule.\(safeId).\(scheduledAtMillis / 1000).\(recipientHash)@\(domain)"
    }

    static func message(schedule: ReportSchedule, run: ScheduleRun, job: ReportJob, recipient: MailAddress, from: MailAddress,
                        file: [UInt8], attachmentMaxBytes: Int, downloadURL: String, nowMillis: Int64) throws(MailError) -> MailMessage {
        let request = job.request
        let period = request.startDate == request.endDate ? request.startDate : "\(request.startDate) to \(request.endDate)"
        let subject = String("\(schedule.title): \(period)".prefix(MailMessage.maximumSubjectCharacters))
        let format = ReportFormat(rawValue: request.format) ?? .json
        let fileName = ReportFileName.name(title: schedule.title, fallback: request.type, startDate: request.startDate,
                                           endDate: request.endDate, format: format)
        let attached = file.count <= attachmentMaxBytes
        let slice = request.botId.map { "bot \($0)" } ?? request.channel.map { "channel \($0)" }

        var text = "\(schedule.title)\n\nTenant: \(request.userId)\n"
        if let slice { text += "Slice: \(slice)\n" }
        text += "Period: \(period) (\(request.timeZone))\n"
        if run.lateByMillis ?? 0 > 0 { text += "Sent late: this run was due at \(RFC3339.string(epochSeconds: run.scheduledAtMillis / 1000)).\n" }
        text += "\n"
        for figure in job.headline {
            text += "\(figure.label): \(figure.value)" + (figure.change.map { " (change \($0))" } ?? "") + "\n"
        }
        text += attached
            ? "\nThe report is attached as \(fileName).\n"
            : "\nThe report (\(file.count) bytes) is larger than the attachment limit; download it with an API key of the tenant at \(downloadURL)\n"

        var html = HTMLText()
        html.raw("<!DOCTYPE html>\n<html><body>\n<h1>"); html.text(schedule.title); html.raw("</h1>\n<p>Tenant: "); html.text(request.userId)
        if let slice { html.raw("<br>Slice: "); html.text(slice) }
        html.raw("<br>Period: "); html.text("\(period) (\(request.timeZone))"); html.raw("</p>\n")
        if !job.headline.isEmpty {
            html.raw("<table>\n")
            for figure in job.headline {
                html.raw("<tr><th align=\"left\">"); html.text(figure.label); html.raw("</th><td align=\"right\">"); html.text(figure.value)
                html.raw("</td><td>"); html.text(figure.change.map { "change \($0)" } ?? ""); html.raw("</td></tr>\n")
            }
            html.raw("</table>\n")
        }
        if attached {
            html.raw("<p>The report is attached as "); html.text(fileName); html.raw(".</p>\n")
        } else {
            html.raw("<p>The report is larger than the attachment limit: <a href=\""); html.text(downloadURL); html.raw("\">download it</a> with an API key of the tenant.</p>\n")
        }
        html.raw("</body></html>\n")

        let attachment = attached ? try MailMessage.Attachment(fileName: fileName, contentType: format.contentType, bytes: file) : nil
        return try MailMessage(from: from, to: recipient, subject: subject,
                               messageId: messageId(scheduleId: schedule.id, scheduledAtMillis: run.scheduledAtMillis, recipient: recipient.value, from: from),
                               dateMillis: nowMillis, text: text, html: html.output, attachment: attachment)
    }
}
