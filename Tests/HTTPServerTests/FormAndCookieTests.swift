import Foundation
@testable import HTTPServer
import Testing

@Suite struct FormAndCookieTests {
    @Test func decodesWhatBrowsersPost() {
        let form = FormBody(urlEncoded: Array("email=jane%40example.com&password=p%C3%A4ss+word%21&tag=a&tag=b&empty=&=nameless&bad=%zz%4".utf8))
        #expect(form["email"] == "jane@example.com")
        #expect(form["password"] == "päss word!")
        #expect(form.values("tag") == ["a", "b"])
        #expect(form["empty"] == "")
        #expect(form["bad"] == "%zz%4", "a malformed escape is kept as sent")
        #expect(form.fields.count == 6, "a field without a name is dropped")
        #expect(form["missing"] == nil)
    }

    @Test func formsMustBeURLEncoded() throws {
        var request = Request(method: .POST, path: "/admin/login", body: Array("a=1".utf8))
        request.headers.add("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
        #expect(try request.form()["a"] == "1")
        request.headers.set("Content-Type", "application/json")
        #expect(throws: HTTPError.self) { try request.form() }
    }

    @Test func theMediaTypeIsReadWithoutParametersInLowerCase() {
        var request = Request(method: .POST, path: "/")
        #expect(request.mediaType == nil)
        for (sent, read) in [("application/json", "application/json"), ("Application/JSON; charset=UTF-8", "application/json"),
                             (" text/plain ;q=1", "text/plain"), ("multipart/form-data; boundary=AbC", "multipart/form-data"),
                             ("; charset=utf-8", ""), ("", ""), ("téxt/Plain", "téxt/plain")] {
            request.headers.set("Content-Type", sent)
            #expect(request.mediaType == read, "\(sent)")
        }
    }

    @Test func readsAndSetsCookies() {
        var request = Request(method: .GET, path: "/")
        request.headers.add("Cookie", "ll_session=abc123; theme=dark")
        request.headers.add("Cookie", "ll_session=second; other")
        #expect(request.cookies == ["ll_session": "abc123", "theme": "dark"])

        var response = Response(status: 303)
        response.setCookie(SetCookie(name: "ll_session", value: "tok", path: "/admin", maxAge: 3600, secure: true))
        response.setCookie(.expired("old"))
        let values = response.headers.filter { $0.name == "Set-Cookie" }.map(\.value)
        #expect(values == ["ll_session=tok; Path=/admin; Max-Age=3600; Secure; HttpOnly; SameSite=Strict",
                           "old=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"])
    }
}

@Suite struct MultipartFormTests {
    static func body(_ boundary: String) -> String {
        "preamble\r\n--\(boundary)\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\ntok en\r\n"
            + "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"leads \\\"a\\\".csv\"\r\nContent-Type: text/csv\r\n\r\n"
            + "phone,first_name\r\n5125550100,Jo\r\n--not-the-boundary\r\n\r\n"
            + "--\(boundary)--\r\n"
    }

    @Test func fieldsStayInMemoryAndFilesAreCopiedOut() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("multipart-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/body"
        try Self.body("----b0undary").write(toFile: path, atomically: true, encoding: .utf8)
        let form = try MultipartForm.read(path: path, boundary: "----b0undary")
        #expect(form["_csrf"] == "tok en")
        let file = try #require(form.files["file"])
        #expect(file.fileName == "leads \"a\".csv")
        #expect(try String(contentsOfFile: file.path, encoding: .utf8) == "phone,first_name\r\n5125550100,Jo\r\n--not-the-boundary\r\n")
        #expect(file.size == 53)

        for broken in ["no boundary at all", "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nunterminated", "--x\r\n\r\n\r\nno name\r\n--x--"] {
            try broken.write(toFile: path, atomically: true, encoding: .utf8)
            #expect(throws: HTTPError.self) { try MultipartForm.read(path: path, boundary: "x") }
        }
    }
}
