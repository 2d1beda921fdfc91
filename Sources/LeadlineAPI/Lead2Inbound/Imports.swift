import Foundation
import HTTPServer
import LeadlineCore

/// The CSV importer over HTTP (what the quickstart calls "the CSV importer in the dashboard"):
/// `POST /v1/imports` takes the file as the body and answers 202 at once; the import runs in the background and
/// `GET /v1/imports/{id}` shows its progress; `GET /v1/imports/{id}/rejects` lists the rejected rows as CSV.
extension Routes {
    struct ImportView: Encodable {
        let id: String, status: String, file_name: String, bytes: Int, bytes_done: Int, progress: Double
        let rows: Int, created: Int, duplicate: Int, rejected: Int
        @Nullable var error: String?
        let created_at: String
        @Nullable var started_at: String?
        @Nullable var finished_at: String?
        let rejects_url: String

        init(_ job: ImportJob) {
            id = job.id; status = job.status.rawValue; file_name = job.fileName; bytes = job.bytes; bytes_done = job.bytesDone
            progress = (job.fractionDone * 1000).rounded() / 1000
            rows = job.rows; created = job.created; duplicate = job.duplicate; rejected = job.rejected; error = job.error
            created_at = job.createdAt; started_at = job.startedAt; finished_at = job.finishedAt
            rejects_url = "/v1/imports/\(job.id)/rejects"
        }
    }

    mutating func addImports(_ imports: ImportJobs, maxUploadBytes: Int) {
        addAsync(.POST, "/v1/imports", maxBodyBytes: maxUploadBytes, accepts: ["text/csv", "text/plain", "application/octet-stream"],
                 bodyToFile: true) { request in
            let caller = try request.caller
            guard let file = request.bodyFile, file.size > 0 else {
                throw HTTPError.validation([.init(field: "body", reason: "send the CSV file as the request body (Content-Type: text/csv)")])
            }
            let job = try await imports.submit(upload: file.path, fileName: request.query["file_name"] ?? "upload.csv",
                                               tenantID: caller.tenantID, actor: request.eventActor)
            var response = try Response.json(ImportView(job), status: 202)
            response.headers.set("Location", "/v1/imports/\(job.id)")
            return response
        }

        add(.GET, "/v1/imports") { request in
            let caller = try request.caller
            let limit = try request.integerQuery("limit", default: 50, range: 1...500)
            struct Page: Encodable { let imports: [ImportView] }
            return try .json(Page(imports: try imports.list(tenantID: caller.tenantID, limit: limit).map(ImportView.init)))
        }

        add(.GET, "/v1/imports/{id}") { request in
            let caller = try request.caller
            return try .json(ImportView(try imports.find(tenantID: caller.tenantID, id: try request.parameter("id"))))
        }

        add(.GET, "/v1/imports/{id}/rejects") { request in
            let caller = try request.caller
            var csv = LeadImport.Reject.csvHeader
            for reject in try imports.rejects(tenantID: caller.tenantID, id: try request.parameter("id")) { csv += reject.csvLine }
            return .text(csv, contentType: "text/csv; charset=utf-8")
        }
    }
}
