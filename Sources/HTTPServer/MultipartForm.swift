import Foundation

/// A `multipart/form-data` body (what an HTML form with a file input posts), read from the file the body was spooled
/// to: its plain fields in memory, each file field copied to a file of its own beside the body. The body is mapped,
/// not read into memory, so a large upload costs what its copy costs.
public struct MultipartForm: Sendable {
    public struct File: Sendable, Equatable {
        public let fileName: String
        public let path: String
        public let size: Int
    }

    public var fields: [(name: String, value: String)] = []
    public var files: [String: File] = [:]

    public subscript(_ name: String) -> String? { fields.first { $0.name == name }?.value }

    /// The largest plain field kept (a file field has no limit but the body's).
    static let maxFieldBytes = 64 << 10

    /// Reads the body at `path`; `boundary` is the Content-Type's. A malformed body is a 400.
    public static func read(path: String, boundary: String) throws -> MultipartForm {
        let data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        var form = MultipartForm()
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws -> Void in
            form = try parse(raw.bindMemory(to: UInt8.self), boundary: boundary, filesBeside: path)
        }
        return form
    }

    static func malformed(_ why: String) -> HTTPError {
        HTTPError(status: 400, code: "bad_multipart", message: "the form's body is not valid multipart/form-data: \(why)")
    }

    /// Where `needle` next occurs in `bytes` at or after `start`.
    static func find(_ needle: [UInt8], in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard let base = bytes.baseAddress, !needle.isEmpty else { return nil }
        var at = start
        while at + needle.count <= bytes.count {
            // memchr to the next candidate first byte, then compare the rest.
            guard let candidate = memchr(base + at, Int32(needle[0]), bytes.count - needle.count + 1 - at) else { return nil }
            at = UnsafeRawPointer(candidate) - UnsafeRawPointer(base)
            if needle.withUnsafeBytes({ memcmp(base + at, $0.baseAddress!, needle.count) }) == 0 { return at }
            at += 1
        }
        return nil
    }

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, boundary: String, filesBeside path: String) throws -> MultipartForm {
        let delimiter = Array("--\(boundary)".utf8), separator = Array("\r\n--\(boundary)".utf8)
        guard var cursor = find(delimiter, in: bytes, from: 0) else { throw malformed("no boundary") }
        cursor += delimiter.count
        var form = MultipartForm()
        while true {
            guard cursor + 2 <= bytes.count else { throw malformed("it ends without a closing boundary") }
            if bytes[cursor] == UInt8(ascii: "-") && bytes[cursor + 1] == UInt8(ascii: "-") { return form }
            guard bytes[cursor] == 13 && bytes[cursor + 1] == 10 else { throw malformed("a boundary is not followed by a line end") }
            cursor += 2
            guard let headersEnd = find(Array("\r\n\r\n".utf8), in: bytes, from: cursor) else { throw malformed("a part has no end of headers") }
            let headers = String(decoding: UnsafeBufferPointer(rebasing: bytes[cursor..<headersEnd]), as: UTF8.self)
            let contentStart = headersEnd + 4
            guard let contentEnd = find(separator, in: bytes, from: contentStart) else { throw malformed("a part has no closing boundary") }
            let disposition = headers.components(separatedBy: "\r\n").first { $0.lowercased().hasPrefix("content-disposition:") } ?? ""
            guard let name = parameter("name", in: disposition) else { throw malformed("a part has no name") }
            let content = UnsafeBufferPointer(rebasing: bytes[contentStart..<contentEnd])
            if let fileName = parameter("filename", in: disposition) {
                let filePath = "\(path).part\(form.files.count + 1)"
                try write(content, to: filePath)
                form.files[name] = File(fileName: fileName, path: filePath, size: content.count)
            } else {
                guard content.count <= maxFieldBytes else { throw malformed("the field \(name) is longer than \(maxFieldBytes) bytes") }
                form.fields.append((name, String(decoding: content, as: UTF8.self)))
            }
            cursor = contentEnd + separator.count
        }
    }

    /// Copies a file part out with write(2), a piece at a time, never holding it in memory twice.
    static func write(_ content: UnsafeBufferPointer<UInt8>, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw malformed("a file part could not be kept") }
        defer { close(fd) }
        var done = 0
        while done < content.count {
            let wrote = Foundation.write(fd, content.baseAddress! + done, min(1 << 20, content.count - done))
            if wrote < 0 && errno == EINTR { continue }
            guard wrote > 0 else { throw malformed("a file part could not be kept") }
            done += wrote
        }
    }

    /// `name="x"` in a Content-Disposition line (quoted, with `\"` inside), or unquoted up to `;`.
    static func parameter(_ key: String, in line: String) -> String? {
        for piece in line.split(separator: ";").dropFirst() {
            let pair = piece.trimmingCharacters(in: .whitespaces)
            guard pair.lowercased().hasPrefix(key + "=") else { continue }
            var value = String(pair.dropFirst(key.count + 1))
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
                value = String(value.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
            }
            return value
        }
        return nil
    }
}

extension Request {
    /// The boundary of a `multipart/form-data` body, from its Content-Type.
    public var multipartBoundary: String? {
        guard mediaType == "multipart/form-data", let type = headers["Content-Type"] else { return nil }
        return MultipartForm.parameter("boundary", in: type)
    }
}
