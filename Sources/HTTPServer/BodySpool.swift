import Foundation

/// A request body that was written to a file as it arrived, for routes that take uploads too large to hold in memory
/// (`Route.bodyToFile`). The handler may move the file away; whatever is still at `path` when the request ends is
/// deleted.
public struct BodyFile: Sendable, Equatable {
    public let path: String
    public let size: Int
}

/// Writes one request's body to a new file in a directory, chunk by chunk, as libmicrohttpd hands it over.
final class BodySpool {
    let path: String
    private var descriptor: Int32
    /// The file's identity, so cleanup never deletes another file that later took the same name.
    private let device: UInt64, inode: UInt64
    private(set) var size = 0
    /// The error that stopped the writing (a full disk), if any; the rest of the body is then dropped.
    private(set) var failure: String?

    init(directory: String) throws {
        var template = Array((directory.hasSuffix("/") ? directory : directory + "/").utf8CString.dropLast()) + Array("upload-XXXXXX.part".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemps($0.baseAddress!, 5) }
        guard fd >= 0 else { throw HTTPError.insufficientStorage("cannot create an upload file in \(directory): \(String(cString: strerror(errno)))") }
        descriptor = fd
        path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        var info = stat()
        fstat(fd, &info)
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }

    func append(_ bytes: UnsafeRawBufferPointer) {
        guard failure == nil, var start = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let written = write(descriptor, start, remaining)
            if written < 0 {
                if errno == EINTR { continue }
                failure = String(cString: strerror(errno))
                return
            }
            remaining -= written
            start += written
            size += written
        }
    }

    /// Closes the file (once the body is complete) and describes it for the handler.
    func finish() -> BodyFile {
        closeDescriptor()
        return BodyFile(path: path, size: size)
    }

    /// Deletes the file unless the handler moved it away.
    func discard() {
        closeDescriptor()
        var info = stat()
        if stat(path, &info) == 0, UInt64(info.st_dev) == device, UInt64(info.st_ino) == inode { unlink(path) }
    }

    private func closeDescriptor() {
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
    }
}
