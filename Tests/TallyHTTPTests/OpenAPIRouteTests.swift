import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Hummingbird
import Logging
import Testing
import TallyDelivery
import TallyHTTP
import TallyMail
import TallyMetrics
import TallyReportJobs
import TallySettings
import TallyStore
import TallyTestSupport

/// `schemas/openapi.yaml` against the router: every route the application registers is in the
/// document and the document names no route the router lacks, so a route is documented in the
/// commit that adds it. The document is read by PyYAML in the project's `.venv` (Package.swift has
/// no YAML parser), and the router is built as `tally serve` builds it, with metrics, the
/// Reports API and a report scheduler (never run here), so that no optional route is left out.
@Suite("OpenAPI document and the router")
struct OpenAPIRouteTests {
    /// One operation: an upper-case method and a path template with `{name}` captures.
    struct Route: Hashable, Comparable, CustomStringConvertible {
        var method: String
        var path: String
        var description: String { "\(method) \(path)" }
        static func < (a: Route, b: Route) -> Bool { (a.path, a.method) < (b.path, b.method) }
    }

    static let documentPath = VenvPython.repositoryRoot.appendingPathComponent("schemas/openapi.yaml")

    /// Prints `METHOD path` for every operation of the document given as the first argument.
    static let listOperations = """
        import sys, yaml
        methods = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
        with open(sys.argv[1], encoding="utf-8") as f:
            document = yaml.safe_load(f)
        for path, item in document["paths"].items():
            for method in item:
                if method in methods:
                    print(method.upper(), path)
        """

    static func documentedRoutes() throws -> Set<Route> {
        let output = try VenvPython.run(["-c", listOperations], input: try Data(contentsOf: documentPath))
        return Set(String(decoding: output, as: UTF8.self).split(separator: "\n").map { line in
            let parts = line.split(separator: " ", maxSplits: 1)
            return Route(method: String(parts[0]), path: String(parts.count > 1 ? parts[1] : ""))
        })
    }

    /// Hummingbird writes a capture as `{name}`, as OpenAPI does.
    static func registeredRoutes() throws -> Set<Route> {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-openapi-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let stores = StoreHolder(try TallyStore(dataDirectory: directory.path))
        let settings = try SettingsStore(dataDirectory: directory.path)
        var logger = Logger(label: "tally-openapi-tests")
        logger.logLevel = .critical
        let runner = ReportJobRunner(
            configuration: ReportJobConfiguration(workers: 1, queueLimit: 10, timeout: .seconds(60),
                                                  directory: ReportJobConfiguration.directory(in: directory.path), retentionDays: 90),
            settings: settings, stores: stores, logger: logger)
        let scheduler = ReportScheduler(
            configuration: ReportSchedulerConfiguration(smtp: try SMTPConfiguration(url: "smtp://127.0.0.1:9", from: try MailAddress("tally@example.com")),
                                                        publicURL: "http://127.0.0.1"),
            settings: settings, runner: runner, logger: logger, tenantZone: { _ in "UTC" })
        let router = TallyApplication.buildRouter(stores: stores, settings: settings, metrics: TallyMetrics(), servesMetrics: true,
                                                  reportJobs: runner, scheduler: scheduler)
        return Set(router.routes.map { Route(method: $0.method.rawValue, path: $0.path.description) })
    }

    @Test("every registered route is documented, and every documented route is registered")
    func documentMatchesRouter() throws {
        let documented = try Self.documentedRoutes()
        let registered = try Self.registeredRoutes()
        #expect(registered.count >= 20, "the router lists too few routes to be the whole application: \(registered.sorted())")
        let undocumented = registered.subtracting(documented).sorted()
        let unrouted = documented.subtracting(registered).sorted()
        #expect(undocumented.isEmpty, "routes missing from schemas/openapi.yaml: \(undocumented.map(\.description).joined(separator: ", "))")
        #expect(unrouted.isEmpty, "routes in schemas/openapi.yaml that the router does not have: \(unrouted.map(\.description).joined(separator: ", "))")
    }

    /// Validates the document given as the second argument (the first is VenvPython's input file,
    /// unused): read from its own path, so that its relative `$ref`s to the report schemas resolve.
    static let validateDocument = """
        import sys
        from openapi_spec_validator import validate
        from openapi_spec_validator.readers import read_from_filename
        document, url = read_from_filename(sys.argv[2])
        validate(document, base_uri=url)
        print("valid")
        """

    @Test("openapi-spec-validator accepts the document and resolves its references to the report schemas")
    func documentValidates() throws {
        let output = try VenvPython.run(["-c", Self.validateDocument], input: Data(), trailing: [Self.documentPath.path])
        #expect(String(decoding: output, as: UTF8.self) == "valid\n")
    }

    /// Compares the JSON given as input with the YAML document given as the second argument, read
    /// by PyYAML with timestamps left as strings (JSON has no dates).
    static let compareServed = """
        import json, sys, yaml
        class Loader(yaml.SafeLoader):
            pass
        Loader.yaml_implicit_resolvers = {key: [r for r in rules if r[0] != "tag:yaml.org,2002:timestamp"]
                                          for key, rules in yaml.SafeLoader.yaml_implicit_resolvers.items()}
        with open(sys.argv[2], encoding="utf-8") as f:
            document = yaml.load(f, Loader=Loader)
        with open(sys.argv[1], encoding="utf-8") as f:
            served = json.load(f)
        print("equal" if served == document else "differ: " + json.dumps(sorted(set(document) ^ set(served))))
        """

    @Test("GET /openapi.json serves the document as JSON, equal to PyYAML's reading of schemas/openapi.yaml, with no key")
    func servedDocument() async throws {
        try await withLiveServer { server in
            let (data, response) = try await URLSession.shared.data(from: server.baseURL.appendingPathComponent("openapi.json"))
            let http = try #require(response as? HTTPURLResponse)
            #expect(http.statusCode == 200)
            #expect(http.value(forHTTPHeaderField: "Content-Type") == "application/json")
            let output = try await OffPool.run { Result { try VenvPython.run(["-c", Self.compareServed], input: data, trailing: [Self.documentPath.path]) } }.get()
            #expect(String(decoding: output, as: UTF8.self) == "equal\n")
        }
    }
}
