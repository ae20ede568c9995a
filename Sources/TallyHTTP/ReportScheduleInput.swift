import TallyDomain
import TallyMail
import TallyReports
import TallySettings

/// The body of `POST /api/v1/reports/schedule` and `PUT …/schedule/{id}`, validated field by
/// field: the report fields exactly as `POST /reports/generate` checks them, then the schedule's
/// own (`cron`, `timezone`, `recipients`, `enabled`, `period` / `period_days`). Every failure is a
/// 400 with a stable code that names the field.
struct ReportScheduleInput {
    static let reportProperties = ["type", "format", "template_id", "sections", "include_charts", "title", "user_id", "bot_id", "channel"]
    static let scheduleProperties = ["cron", "timezone", "recipients", "enabled", "period", "period_days"]
    static var allowedProperties: [String] { reportProperties + scheduleProperties }

    var report: GenerateReportInput
    var cron: String
    /// nil: the tenant's zone.
    var timeZone: String?
    var recipients: [String]
    var enabled: Bool
    var period: SchedulePeriod

    static func parse(_ fields: [String: JSONValue], template: ReportTemplate?) throws(APIError) -> ReportScheduleInput {
        try JSONRequestBody.refuseUnknown(fields, allowed: allowedProperties)
        let report = try GenerateReportInput.parse(fields.filter { reportProperties.contains($0.key) }, template: template)
        // By scalar, not by Character: "\r\n" is one Character, equal to neither "\r" nor "\n".
        // Other control characters (tab aside) are refused too: the mail's subject could not carry them.
        if report.title.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" }) {
            throw .badRequest("invalid_parameter", "title must not contain CR or LF: it becomes the subject of the mail")
        }
        if report.title.unicodeScalars.contains(where: { ($0.value < 0x20 && $0 != "\t") || $0.value == 0x7F }) {
            throw .badRequest("invalid_parameter", "title must not contain control characters: it becomes the subject of the mail")
        }

        guard case .string(let cron)? = fields["cron"] else {
            throw .badRequest("invalid_cron", "cron is required: five fields (minute hour day-of-month month day-of-week), e.g. \"0 8 * * 1\"")
        }
        do throws(CronError) {
            let expression = try CronExpression(parsing: cron)
            if let never = expression.neverFiresError { throw never }
        } catch {
            throw .badRequest("invalid_cron", "cron: \(error.message)")
        }

        var timeZone: String?
        switch fields["timezone"] {
        case nil, .null?: break
        case .string(let name)? where LocalClock.isKnown(name): timeZone = name
        case .string(let name)?: throw .badRequest("invalid_timezone", SchedulePreviewError.invalidTimezone(String(name.prefix(64))).message)
        default: throw .badRequest("invalid_timezone", "timezone must be an IANA time zone name such as America/New_York")
        }

        guard case .array(let items)? = fields["recipients"], (1...ReportSchedule.maximumRecipients).contains(items.count) else {
            throw .badRequest("invalid_recipient", "recipients must be an array of 1 to \(ReportSchedule.maximumRecipients) e-mail addresses")
        }
        var recipients: [String] = []
        for (index, item) in items.enumerated() {
            guard case .string(let text) = item else { throw .badRequest("invalid_recipient", "recipients[\(index)] must be a string") }
            do { recipients.append(try MailAddress(text).value) } catch {
                throw .badRequest("invalid_recipient", "recipients[\(index)]: \(error.message)")
            }
        }
        guard Set(recipients.map { $0.lowercased() }).count == recipients.count else {
            throw .badRequest("invalid_recipient", "recipients must not name an address twice")
        }

        var enabled = true
        switch fields["enabled"] {
        case nil, .null?: break
        case .bool(let value)?: enabled = value
        default: throw .badRequest("invalid_parameter", "enabled must be true or false")
        }

        let period: SchedulePeriod
        switch (fields["period"], fields["period_days"]) {
        case (nil, nil), (.null?, nil), (nil, .null?), (.null?, .null?):
            period = .previousDay
        case (.string(let name)?, nil), (.string(let name)?, .null?):
            guard let known = SchedulePeriod(name: name, days: nil) else {
                throw .badRequest("invalid_parameter", "period must be one of \(SchedulePeriod.names.joined(separator: ", ")), or give period_days")
            }
            period = known
        // `"period": "days"` with `period_days` is how a schedule reads back, so a GET's body can be PUT.
        case (nil, .integer(let n)?), (.null?, .integer(let n)?), (.string("days")?, .integer(let n)?):
            guard (1...Int64(ReportSpec.maximumDays)).contains(n) else {
                throw .badRequest("invalid_parameter", "period_days must be an integer from 1 to \(ReportSpec.maximumDays)")
            }
            period = .days(Int(n))
        case (_?, _?) where fields["period"] != .null && fields["period_days"] != .null:
            throw .badRequest("invalid_parameter", "give period or period_days, not both")
        default:
            throw .badRequest("invalid_parameter", "period must be one of \(SchedulePeriod.names.joined(separator: ", ")); period_days an integer")
        }
        return ReportScheduleInput(report: report, cron: cron, timeZone: timeZone, recipients: recipients, enabled: enabled, period: period)
    }
}
