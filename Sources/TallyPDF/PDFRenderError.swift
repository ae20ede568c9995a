/// A failure of cairo or pango while rendering a PDF.
public struct PDFRenderError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
