import Foundation
import TallyDomain
import TallyReports
import TallySettings

/// The body of `POST /api/v1/reports/generate`, validated field by field: every failure is a 400
/// with a stable code that names the field, and unknown values list the valid ones.
struct GenerateReportInput {
    static let allowedProperties = ["type", "format", "start_date", "end_date", "period_days", "include_charts", "title", "sections",
                                    "template_id", "user_id", "bot_id", "channel"]
    /// The period when the body gives neither dates nor `period_days`.
    static let defaultPeriodDays = 30
    static let maximumTitleCharacters = 200

    var type: ReportType
    var format: ReportFormat
    var title: String
    var sections: [SectionName]
    /// The `limit` given to sections that list rows (`{"type": …, "limit": …}`), by section.
    var sectionLimits: [SectionName: Int] = [:]
    var userId: String?
    var slice: (dimension: RollupScope.Dimension, value: String)?
    var includeCharts = true
    var templateId: String?
    var templateVersion: Int?
    /// Explicit dates, or the number of days ending today in the tenant's zone.
    var period: Period

    enum Period {
        case dates(Day, Day)
        case lastDays(Int)
    }

    /// - Parameter template: the template `template_id` names, already looked up (built-in or custom).
    static func parse(_ fields: [String: JSONValue], template: ReportTemplate?) throws(APIError) -> GenerateReportInput {
        try JSONRequestBody.refuseUnknown(fields, allowed: allowedProperties)

        let type: ReportType
        switch fields["type"] {
        case .string(let name)?:
            guard let known = ReportType(rawValue: name) else {
                throw .badRequest("unknown_type", "unknown report type '\(name.prefix(64))'; valid types: \(ReportType.validList)")
            }
            if let template, template.type != known {
                throw .badRequest("invalid_parameter", "template '\(template.id)' is of type \(template.type.rawValue), not \(known.rawValue)")
            }
            type = known
        case nil, .null?:
            guard let template else { throw .badRequest("missing_parameter", "type is required; valid types: \(ReportType.validList)") }
            type = template.type
        default: throw .badRequest("unknown_type", "type must be one of \(ReportType.validList)")
        }

        let format: ReportFormat
        switch fields["format"] {
        case nil, .null?: format = template?.format ?? .json
        case .string(let name)?:
            guard let known = ReportFormat(rawValue: name) else {
                throw .badRequest("unknown_format", "unknown format '\(name.prefix(64))'; valid formats: \(ReportFormat.validList)")
            }
            format = known
        default: throw .badRequest("unknown_format", "format must be one of \(ReportFormat.validList)")
        }

        var sections: [SectionName]
        var sectionLimits: [SectionName: Int] = [:]
        switch fields["sections"] {
        case nil, .null?:
            guard type != .custom || template != nil else { throw .badRequest("missing_parameter", "sections is required for a custom report; valid sections: \(SectionName.validList)") }
            sections = template?.sections ?? type.defaultSections
            sectionLimits = (template?.sectionLimits ?? [:]).filter { sections.contains($0.key) }
        case .array(let items)?:
            let parsed = try items.map(Self.section)
            sections = parsed.map(\.name)
            for item in parsed { if let limit = item.limit { sectionLimits[item.name] = limit } }
            guard !sections.isEmpty else { throw .badRequest("invalid_parameter", "sections must name at least one section") }
            guard Set(sections).count == sections.count else { throw .badRequest("invalid_parameter", "sections must not name a section twice") }
        default: throw .badRequest("invalid_parameter", "sections must be an array of section names or {\"type\": name} objects")
        }

        var input = GenerateReportInput(type: type, format: format, title: type.defaultTitle, sections: sections, userId: nil, slice: nil,
                                        templateId: template?.id, period: .lastDays(template?.periodDays ?? defaultPeriodDays))
        input.sectionLimits = sectionLimits
        input.templateVersion = template?.version
        switch fields["title"] {
        case nil, .null?: break
        case .string(let title)? where !title.isEmpty && title.count <= maximumTitleCharacters: input.title = title
        default: throw .badRequest("invalid_parameter", "title must be a string of 1 to \(maximumTitleCharacters) characters")
        }
        switch fields["include_charts"] {
        case nil, .null?: input.includeCharts = template?.includeCharts ?? true
        case .bool(let value)?: input.includeCharts = value
        default: throw .badRequest("invalid_parameter", "include_charts must be true or false")
        }
        input.userId = try identifier(fields, "user_id")
        let bot = try identifier(fields, "bot_id"), channel = try identifier(fields, "channel")
        if bot != nil, channel != nil { throw .badRequest("invalid_parameter", "bot_id and channel cannot be combined: a report is sliced by one of them") }
        input.slice = bot.map { (.botId, $0) } ?? channel.map { (.channel, $0) }
        input.period = try period(fields, default: input.period)
        return input
    }

    /// One item of `sections`: a name, or `{"type": name}` with an optional `limit` (1…100) for
    /// the sections that list rows. A limit on any other section is refused rather than ignored,
    /// so that a client learns its option does nothing.
    static func section(_ item: JSONValue) throws(APIError) -> (name: SectionName, limit: Int?) {
        let name: String
        var limitValue: JSONValue?
        switch item {
        case .string(let text): name = text
        case .object(let object):
            try JSONRequestBody.refuseUnknown(object, allowed: ["type", "limit"])
            guard case .string(let text)? = object["type"] else { throw .badRequest("invalid_parameter", "a section object needs a \"type\" string") }
            name = text
            limitValue = object["limit"]
        default: throw .badRequest("invalid_parameter", "sections must be an array of section names or {\"type\": name} objects")
        }
        guard let section = SectionName(rawValue: name) else {
            throw .badRequest("unknown_section", "unknown section '\(name.prefix(64))'; valid sections: \(SectionName.validList)")
        }
        switch limitValue {
        case nil, .null?: return (section, nil)
        case let value?:
            guard section.defaultLimit != nil else {
                throw .badRequest("invalid_parameter", "section \(section.rawValue) takes no limit; the sections that take one: \(SectionName.limitedList)")
            }
            let range = SectionName.limitRange
            guard case .integer(let n) = value, (Int64(range.lowerBound)...Int64(range.upperBound)).contains(n) else {
                throw .badRequest("invalid_parameter", "the limit of section \(section.rawValue) must be an integer from \(range.lowerBound) to \(range.upperBound)")
            }
            return (section, Int(n))
        }
    }

    static func identifier(_ fields: [String: JSONValue], _ name: String) throws(APIError) -> String? {
        switch fields[name] {
        case nil, .null?: return nil
        case .string(let value)? where Identifier.isValid(value): return value
        default: throw .badRequest("invalid_parameter", "\(name) must be a string of 1 to 128 characters without control characters")
        }
    }

    private static func period(_ fields: [String: JSONValue], default fallback: Period) throws(APIError) -> Period {
        func day(_ name: String) throws(APIError) -> Day? {
            switch fields[name] {
            case nil, .null?: return nil
            case .string(let text)?:
                guard let day = Day(iso: text) else { throw .badRequest("invalid_parameter", "\(name) must be a calendar date as YYYY-MM-DD") }
                return day
            default: throw .badRequest("invalid_parameter", "\(name) must be a calendar date as YYYY-MM-DD")
            }
        }
        let start = try day("start_date"), end = try day("end_date")
        let days: Int?
        switch fields["period_days"] {
        case nil, .null?: days = nil
        case .integer(let n)? where (1...Int64(ReportSpec.maximumDays)).contains(n): days = Int(n)
        default: throw .badRequest("invalid_parameter", "period_days must be an integer from 1 to \(ReportSpec.maximumDays)")
        }
        switch (start, end) {
        case (nil, nil): return days.map { .lastDays($0) } ?? fallback
        case let (start?, end?):
            guard days == nil else { throw .badRequest("invalid_parameter", "give start_date and end_date, or period_days, not both") }
            guard start <= end else { throw .badRequest("invalid_parameter", "start_date must not be after end_date") }
            guard Int(end.number - start.number) < ReportSpec.maximumDays else {
                throw .badRequest("invalid_parameter", "a report covers at most \(ReportSpec.maximumDays) days")
            }
            return .dates(start, end)
        default: throw .badRequest("invalid_parameter", "start_date and end_date go together")
        }
    }
}
