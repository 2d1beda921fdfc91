import Foundation
import LeadlineCrypto

/// A file from `public/`, compiled into the binary.
public struct EmbeddedAsset: Sendable {
    public let name: String
    public let contentType: String
    public let bytes: [UInt8]
    /// A strong validator: the SHA-256 of the content.
    public let etag: String
}

/// The files of `public/`, decoded once on first use. The build-tool plugin writes `encoded`.
public enum EmbeddedAssets {
    public static let all: [String: EmbeddedAsset] = {
        var assets: [String: EmbeddedAsset] = [:]
        for (name, base64) in encoded {
            guard let data = Data(base64Encoded: base64) else { continue }
            let bytes = [UInt8](data)
            assets[name] = EmbeddedAsset(name: name, contentType: contentType(for: name), bytes: bytes,
                                         etag: "\"" + Digest.sha256(bytes).hex.prefix(32) + "\"")
        }
        return assets
    }()

    public static func named(_ name: String) -> EmbeddedAsset? { all[name] }

    static func contentType(for name: String) -> String {
        switch (name as NSString).pathExtension.lowercased() {
        case "css": return "text/css; charset=utf-8"
        case "js", "mjs": return "text/javascript; charset=utf-8"
        case "svg": return "image/svg+xml"
        case "png": return "image/png"
        case "ico": return "image/x-icon"
        case "webp": return "image/webp"
        case "woff2": return "font/woff2"
        case "json", "webmanifest": return "application/json"
        case "html": return "text/html; charset=utf-8"
        case "txt": return "text/plain; charset=utf-8"
        default: return "application/octet-stream"
        }
    }
}
