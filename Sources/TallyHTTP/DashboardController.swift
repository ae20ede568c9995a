import Hummingbird

/// `GET /`, `/dashboard/app.js` and `/dashboard/app.css`: the live dashboard, a single page
/// compiled into the binary (`Sources/TallyHTTP/Dashboard`), so it needs no files beside it and
/// loads nothing from elsewhere.
///
/// The page needs no key to load: it asks for one and sends it only in the `Authorization` header
/// of its API requests. Every answer carries a Content-Security-Policy that allows scripts, styles
/// and connections from this origin alone, with no inline script or style, so that even a value
/// that slipped into the page as markup could not run; the script inserts every value as text.
struct DashboardController<Context: RequestContext> {
    static var contentSecurityPolicy: String {
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            + "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    }

    func addRoutes(to router: Router<Context>) {
        router.get("/") { _, _ in Self.file(PackageResources.index_html, type: "text/html; charset=utf-8") }
        router.get("dashboard/app.js") { _, _ in Self.file(PackageResources.app_js, type: "text/javascript; charset=utf-8") }
        router.get("dashboard/app.css") { _, _ in Self.file(PackageResources.app_css, type: "text/css; charset=utf-8") }
    }

    static func file(_ bytes: [UInt8], type: String) -> Response {
        Response(status: .ok, headers: [
            .contentType: type,
            .contentSecurityPolicy: contentSecurityPolicy,
            .init("X-Content-Type-Options")!: "nosniff",
            .init("Referrer-Policy")!: "no-referrer",
            .cacheControl: "no-cache",
        ], body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
