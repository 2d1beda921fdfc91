import GRDB
import Store

extension Schema {
    /// The columns an admin chose for an import (field name → column index, JSON); NULL: read by header names.
    static let importColumns = Migration("0017_import_columns") { db in
        try db.execute(sql: "ALTER TABLE imports ADD COLUMN columns TEXT")
    }
}
