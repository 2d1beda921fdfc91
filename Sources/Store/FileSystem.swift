import Foundation

enum FileSystem {
    static func fsync(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StoreError.io("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard Foundation.fsync(fd) == 0 else { throw StoreError.io("fsync \(path) failed: \(String(cString: strerror(errno)))") }
    }

    /// Atomic on one filesystem: readers see the old file or the new one, never a mix.
    static func replace(_ source: String, with destination: String) throws {
        guard rename(source, destination) == 0 else {
            throw StoreError.io("cannot move \(source) to \(destination): \(String(cString: strerror(errno)))")
        }
        let directory = (destination as NSString).deletingLastPathComponent
        let fd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 { _ = Foundation.fsync(fd); close(fd) }
    }
}

/// An exclusive lock on `<database>.lock`, held by `serve` for its lifetime and by `restore` while it swaps files,
/// so a restore never pulls the file out from under a running server. The kernel drops it if the process dies.
public final class DatabaseLock: Sendable {
    private let fd: Int32
    public let path: String

    public init(databasePath: String) throws {
        path = databasePath + ".lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StoreError.io("cannot open \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw StoreError.locked(path: databasePath)
        }
        self.fd = fd
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
