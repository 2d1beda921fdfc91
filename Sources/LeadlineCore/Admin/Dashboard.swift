import Foundation
import GRDB
import Store

/// The dashboard's totals, for one tenant or (for operators) all of them.
public struct DashboardNumbers: Sendable, Equatable {
    public var leads = 0
    public var leadsToday = 0
    public var optedOut = 0

    /// `tenantID` nil: every tenant. "Today" starts at UTC midnight.
    public static func load(_ store: SQLiteStore, tenantID: String?, now: Date) throws -> DashboardNumbers {
        let midnight = Timestamp.format(Date(timeIntervalSince1970: (now.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400))
        return try store.read { db in
            var numbers = DashboardNumbers()
            numbers.leads = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM leads WHERE ? IS NULL OR tenant_id = ?", arguments: [tenantID, tenantID]) ?? 0
            numbers.leadsToday = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM leads WHERE (? IS NULL OR tenant_id = ?) AND created_at >= ?",
                                                  arguments: [tenantID, tenantID, midnight]) ?? 0
            numbers.optedOut = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM dnc_internal WHERE (? IS NULL OR tenant_id = ?) AND removed_at IS NULL
                """, arguments: [tenantID, tenantID]) ?? 0
            return numbers
        }
    }
}
