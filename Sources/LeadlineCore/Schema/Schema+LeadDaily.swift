import GRDB
import Store

extension Schema {
    /// `lead_daily`'s count of a new lead is added by `Lead.insert`, no longer by a trigger: a trigger made every lead's
    /// INSERT keep a statement journal (a copy of each page the statement changed, in case it had to be undone): by the
    /// pages it touches, some 30 KB copied per lead on the single writer. Status changes and deletions keep their
    /// triggers.
    static let leadDailyCountedByInsert = Migration("0018_lead_daily_counted_by_insert") { db in
        try db.execute(sql: "DROP TRIGGER lead_daily_add")
    }
}
