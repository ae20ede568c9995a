import TallyDomain

/// The usage sections: summary, message mix, contacts growth and the hourly heat map.
extension SectionReader {
    /// Message types shown on their own; the others (context, instructions, …) are internal to a
    /// bot and summed into the total only.
    static var shownTypes: [MessageType] { [.user, .bot, .activity] }

    func usageSummary() throws -> [Block] {
        let conversations = try figure(.counter(.conversations))
        let messages = try figure(.counter(.messages))
        let tokens = try figure(.counter(.tokens))
        var items = [kpi("conversations", "Conversations", .count, conversations), kpi("messages", "Messages", .count, messages)]
        for type in Self.shownTypes {
            items.append(kpi("messages_\(type.rawValue)", "\(type.rawValue.capitalized) messages", .count, try figure(.counter(.messagesOfType(type)))))
        }
        items += [
            kpi("active_contacts", "Active contacts", .count, try figure(.distinct(.activeContacts))),
            kpi("new_contacts", "New contacts", .count, try figure(.counter(.newContacts))),
            kpi("returning_contacts", "Returning contacts", .count, try figure(.returningContacts)),
            kpi("tokens", "Tokens", .count, tokens),
        ]
        return [
            .kpis(KPIGroup(items: items)),
            .series(Series(name: "daily", title: "Per day", unit: .count, dates: dates, lines: [
                line("conversations", "Conversations", conversations), line("messages", "Messages", messages), line("tokens", "Tokens", tokens),
            ])),
        ]
    }

    func messageMix() throws -> [Block] {
        let all = try figure(.counter(.messages))
        var lines: [Series.Line] = []
        var rows: [[Table.Cell]] = []
        for type in Self.shownTypes {
            let result = try figure(.counter(.messagesOfType(type)))
            lines.append(line(type.rawValue, "\(type.rawValue.capitalized) messages", result))
            rows.append([.text(type.rawValue), .number(result.value), .number(result.change)])
        }
        rows.append([.text("all"), .number(all.value), .number(all.change)])
        return [
            .series(Series(name: "daily", title: "Messages per day by type", unit: .count, dates: dates, lines: lines)),
            .table(Table(name: "totals", title: "Messages by type", columns: [
                .text("type", "Type"), .number("messages", "Messages"), .number("change", "Change"),
            ], rows: rows)),
        ]
    }

    func contactsGrowth() throws -> [Block] {
        let total = try figure(.totalContacts)
        let new = try figure(.counter(.newContacts))
        return [
            .kpis(KPIGroup(items: [kpi("total_contacts", "Total contacts", .count, total), kpi("new_contacts", "New contacts", .count, new)])),
            .series(Series(name: "daily", title: "Contacts per day", unit: .count, dates: dates, lines: [
                line("total_contacts", "Total contacts", total), line("new_contacts", "New contacts", new),
            ])),
        ]
    }

    func hourlyHeatmap() throws -> [Block] {
        let result = try figure(.hourlyActivity)
        let matrix = result.heatmap ?? Array(repeating: Array(repeating: 0, count: 24), count: 7)
        return [.heatmap(Heatmap(name: "messages", title: "Messages by weekday and hour (\(spec.timeZone))", values: matrix))]
    }
}
