/// Writes CSV as RFC 4180 has it: fields with a comma, quote, CR or LF are quoted, quotes doubled, lines end in CRLF.
///
/// A cell a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab or CR) gets a leading `'`, so an
/// exported lead named `=HYPERLINK(…)` stays text. Numbers are written by `number`, which never needs it.
public enum CSVWriter {
    public enum Cell: Sendable, Equatable {
        case text(String?)
        case number(Int?)
    }

    /// One line, CRLF included.
    public static func line(_ cells: [Cell]) -> String {
        cells.map(field).joined(separator: ",") + "\r\n"
    }

    public static func header(_ names: [String]) -> String { line(names.map { .text($0) }) }

    static func field(_ cell: Cell) -> String {
        switch cell {
        case .number(let value): return value.map(String.init) ?? ""
        case .text(nil): return ""
        case .text(let value?):
            var text = value
            if let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) { text = "'" + text }
            guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else { return text }
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
    }
}
