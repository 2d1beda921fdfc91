import HTTPServer
import LeadlineAssets

extension Routes {
    /// The files of `public/`, from the binary: `/assets/<path>`, and `/robots.txt` (no indexing of a private console).
    mutating func addAssets() {
        add(.GET, "/assets/{path...}", access: .open) { request in
            guard let asset = EmbeddedAssets.named(try request.parameter("path")) else { throw HTTPError.notFound("no such asset") }
            return Self.serve(asset, to: request)
        }
        add(.GET, "/robots.txt", access: .open) { request in
            guard let asset = EmbeddedAssets.named("robots.txt") else { throw HTTPError.notFound("no robots.txt") }
            return Self.serve(asset, to: request)
        }
    }

    static func serve(_ asset: EmbeddedAsset, to request: Request) -> Response {
        var headers = HTTPHeaders()
        headers.add("ETag", asset.etag)
        headers.add("Cache-Control", "public, max-age=3600")
        if request.headers["If-None-Match"]?.split(separator: ",").contains(where: { $0.trimmingSpaces == asset.etag }) == true {
            return Response(status: 304, headers: headers)
        }
        headers.add("Content-Type", asset.contentType)
        headers.add("X-Content-Type-Options", "nosniff")
        return Response(status: 200, headers: headers, body: .bytes(asset.bytes))
    }
}
