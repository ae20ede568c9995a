import CPangoCairo

/// One render's cairo PDF surface and pango text layout: measures text while pages are laid out,
/// then draws the marks of each page.
///
/// Everything here belongs to one render: its own font map (`pango_cairo_font_map_new`, not the
/// shared default), pango context, layout and font descriptions, all released when the canvas is.
/// So report workers rendering in several threads at once share no mutable state. Text is always
/// set with `pango_layout_set_text`, never as markup: titles, bot ids and reasons are untrusted.
final class PDFCanvas {
    /// A4 in points (210 × 297 mm), rounded to hundredths as PDF readers report it.
    static let pageWidth = 595.28
    static let pageHeight = 841.89

    private let sink = PDFByteSink()
    private let surface: OpaquePointer
    private let cairo: OpaquePointer
    private let fontMap: UnsafeMutablePointer<PangoFontMap>
    private let context: OpaquePointer
    private let layout: OpaquePointer
    private var fonts: [String: OpaquePointer] = [:]
    private var finished = false

    init() throws {
        guard let surface = cairo_pdf_surface_create_for_stream(PDFByteSink.write, Unmanaged.passUnretained(sink).toOpaque(),
                                                                Self.pageWidth, Self.pageHeight),
              cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS else {
            throw PDFRenderError("cairo could not create a PDF surface")
        }
        self.surface = surface
        cairo_pdf_surface_restrict_to_version(surface, CAIRO_PDF_VERSION_1_5)
        guard let cairo = cairo_create(surface), cairo_status(cairo) == CAIRO_STATUS_SUCCESS else {
            cairo_surface_destroy(surface)
            throw PDFRenderError("cairo could not create a drawing context")
        }
        self.cairo = cairo
        let fontMap = pango_cairo_font_map_new()!
        let context = pango_font_map_create_context(fontMap)!
        // Points are the unit of both cairo's PDF surface and every size here; unhinted metrics make
        // a text's width the same on every machine and at every scale.
        pango_cairo_update_context(cairo, context)
        pango_cairo_context_set_resolution(context, 72)
        // Glyphs at their exact advances: rounded to whole points they would space unevenly, and
        // a text's width would not scale with its size.
        pango_context_set_round_glyph_positions(context, 0)
        let options = cairo_font_options_create()
        cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE)
        cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF)
        pango_cairo_context_set_font_options(context, options)
        cairo_font_options_destroy(options)
        self.fontMap = fontMap
        self.context = context
        self.layout = pango_layout_new(context)!
        // A bot id broken across lines must not gain a hyphen it does not have.
        let attributes = pango_attr_list_new()
        pango_attr_list_insert(attributes, pango_attr_insert_hyphens_new(0))
        pango_layout_set_attributes(layout, attributes)
        pango_attr_list_unref(attributes)
    }

    deinit {
        for font in fonts.values { pango_font_description_free(font) }
        g_object_unref(UnsafeMutableRawPointer(layout))
        g_object_unref(UnsafeMutableRawPointer(context))
        g_object_unref(UnsafeMutableRawPointer(fontMap))
        cairo_destroy(cairo)
        if !finished { cairo_surface_finish(surface) }
        cairo_surface_destroy(surface)
    }

    // MARK: Document

    /// Sets an Info dictionary entry. Dates come from the document (never the clock), so the same
    /// document gives the same bytes.
    func setMetadata(_ key: cairo_pdf_metadata_t, _ value: String) {
        cairo_pdf_surface_set_metadata(surface, key, value)
    }

    /// Ends the current page and starts the next.
    func showPage() { cairo_show_page(cairo) }

    /// Adds a bookmark for `title` at `y` on page `page` (1-based).
    func addOutline(_ title: String, page: Int, y: Double) {
        cairo_pdf_surface_add_outline(surface, Int32(CAIRO_PDF_OUTLINE_ROOT), Self.clean(title, singleLine: true),
                                      "page=\(page) pos=[0 \(Int(y.rounded()))]", cairo_pdf_outline_flags_t(rawValue: 0))
    }

    /// Writes the last page and answers the PDF's bytes.
    func finish() throws -> [UInt8] {
        cairo_surface_finish(surface)
        finished = true
        let status = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw PDFRenderError("cairo failed: \(String(cString: cairo_status_to_string(status)))")
        }
        return sink.bytes
    }

    // MARK: Text

    /// The width and height `box` takes when drawn.
    func measure(_ box: PDFTextBox) -> (width: Double, height: Double) {
        prepare(box)
        var logical = PangoRectangle()
        pango_layout_get_extents(layout, nil, &logical)
        return (Double(logical.width) / 1024, Double(logical.height) / 1024)
    }

    /// The natural (unwrapped) width of `text` in `style`.
    func width(_ text: String, _ style: PDFTextStyle) -> Double {
        measure(PDFTextBox(text: text, style: style, origin: PDFPoint(x: 0, y: 0))).width
    }

    /// The height of one line of `style`.
    func lineHeight(_ style: PDFTextStyle) -> Double {
        measure(PDFTextBox(text: "Ag", style: style, origin: PDFPoint(x: 0, y: 0))).height
    }

    private func prepare(_ box: PDFTextBox) {
        pango_layout_set_font_description(layout, font(box.style))
        let text = Self.clean(box.text, singleLine: box.overflow == .ellipsize)
        let utf8 = Array(text.utf8)
        utf8.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                pango_layout_set_text(layout, chars.baseAddress, Int32(chars.count))
            }
        }
        if let width = box.width {
            pango_layout_set_width(layout, Int32((max(1, width) * 1024).rounded(.down)))
        } else {
            pango_layout_set_width(layout, -1)
        }
        pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR)
        pango_layout_set_ellipsize(layout, box.overflow == .ellipsize && box.width != nil ? PANGO_ELLIPSIZE_END : PANGO_ELLIPSIZE_NONE)
        switch box.alignment {
        case .left: pango_layout_set_alignment(layout, PANGO_ALIGN_LEFT)
        case .center: pango_layout_set_alignment(layout, PANGO_ALIGN_CENTER)
        case .right: pango_layout_set_alignment(layout, PANGO_ALIGN_RIGHT)
        }
    }

    private func font(_ style: PDFTextStyle) -> OpaquePointer {
        let key = "\(style.size)|\(style.bold)"
        if let font = fonts[key] { return font }
        let font = pango_font_description_new()!
        pango_font_description_set_family(font, PDFTextStyle.family)
        pango_font_description_set_weight(font, style.bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL)
        pango_font_description_set_absolute_size(font, style.size * 1024)
        fonts[key] = font
        return font
    }

    /// Text as pango may lay it out: control characters other than tab and line ends shown as
    /// U+FFFD; for one-line labels, line ends and tabs as spaces.
    static func clean(_ text: String, singleLine: Bool) -> String {
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x09, 0x0A, 0x0D: result.append(singleLine ? " " : scalar)
            case 0..<0x20, 0x7F: result.append("\u{FFFD}")
            default: result.append(scalar)
            }
        }
        return String(result)
    }

    // MARK: Drawing

    func draw(_ mark: PDFMark) {
        switch mark {
        case .text(let box):
            prepare(box)
            setColor(box.style.color)
            cairo_move_to(cairo, box.origin.x, box.origin.y)
            pango_cairo_show_layout(cairo, layout)
        case let .fill(x, y, width, height, color):
            setColor(color)
            cairo_rectangle(cairo, x, y, width, height)
            cairo_fill(cairo)
        case let .stroke(points, color, width):
            guard let first = points.first else { return }
            setColor(color)
            cairo_set_line_width(cairo, width)
            cairo_set_line_join(cairo, CAIRO_LINE_JOIN_ROUND)
            cairo_set_line_cap(cairo, CAIRO_LINE_CAP_BUTT)
            cairo_move_to(cairo, first.x, first.y)
            for point in points.dropFirst() { cairo_line_to(cairo, point.x, point.y) }
            cairo_stroke(cairo)
        case let .dot(center, radius, color):
            setColor(color)
            cairo_new_path(cairo)
            cairo_arc(cairo, center.x, center.y, radius, 0, 2 * Double.pi)
            cairo_fill(cairo)
        case .outline:
            break  // added by the renderer, which knows the page number
        }
    }

    private func setColor(_ color: PDFColor) { cairo_set_source_rgb(cairo, color.red, color.green, color.blue) }
}
