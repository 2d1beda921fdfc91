import Foundation
import Logging

/// Backups taken every `interval` into `backups/` beside the database, keeping the newest `keep`.
public struct BackupSchedule: Sendable {
    public var interval: Duration
    public var keep: Int

    public init(interval: Duration, keep: Int) {
        self.interval = interval
        self.keep = max(1, keep)
    }

    public static func folder(for databasePath: String) throws -> String {
        let directory = (databasePath as NSString).deletingLastPathComponent
        let folder = ((directory.isEmpty ? "." : directory) as NSString).appendingPathComponent("backups")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    static func stamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }

    /// Takes one scheduled backup and prunes the old ones; returns the new file's path.
    @discardableResult
    public func runOnce(_ store: SQLiteStore, now: Date = Date()) throws -> String {
        let folder = try Self.folder(for: store.path)
        let path = (folder as NSString).appendingPathComponent("leadline-\(Self.stamp(now)).db")
        try store.backup(to: path)
        let scheduled = try FileManager.default.contentsOfDirectory(atPath: folder)
            .filter { $0.hasPrefix("leadline-") && $0.hasSuffix(".db") }
            .sorted()  // the stamp sorts by time
        for old in scheduled.dropLast(keep) {
            try? FileManager.default.removeItem(atPath: (folder as NSString).appendingPathComponent(old))
        }
        return path
    }

    /// Runs until the task is cancelled.
    public func run(_ store: SQLiteStore, logger: Logger) async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: interval) } catch { return }
            do {
                let path = try runOnce(store)
                logger.info("scheduled backup written", metadata: ["file": .string(path)])
            } catch {
                logger.error("scheduled backup failed", metadata: ["error": .string(String(describing: error))])
            }
        }
    }
}
