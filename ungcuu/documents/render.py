"""DOCX (docxtpl, from replaceable templates) and PDF (reportlab, embedded fonts) of one document.

Both follow Nghị định 30/2020/NĐ-CP Phụ lục I: A4; margins top/bottom 20 mm, left 30 mm, right 15 mm;
Times New Roman 13 pt (Liberation Serif, metric-compatible, embedded in the PDF); the issuing body and the
national title side by side; number left, place and date right in italics; the type and summary centred in
bold; the body; the signature block right and "Nơi nhận" left.
"""

import io
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from docxtpl import DocxTemplate
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import HRFlowable

APP_DIR = Path(__file__).resolve().parent
FONT_DIR = APP_DIR / "fonts"
NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
MARGINS = {"top": 20 * mm, "bottom": 20 * mm, "left": 30 * mm, "right": 15 * mm}
FONT = "LiberationSerif"


def template_path(kind: str) -> Path:
    """The DOCX template of a kind: DOCUMENTS_TEMPLATE_DIR/<kind>.docx when an administrator placed one there,
    else the one shipped with the app."""
    custom = getattr(settings, "DOCUMENTS_TEMPLATE_DIR", "")
    if custom and (Path(custom) / f"{kind}.docx").exists():
        return Path(custom) / f"{kind}.docx"
    return APP_DIR / "templates" / "docx" / f"{kind}.docx"


def render_docx(kind: str, context: dict) -> bytes:
    template = DocxTemplate(str(template_path(kind)))
    template.render(context, autoescape=True)
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


_fonts_registered = False


def _register_fonts() -> None:
    global _fonts_registered
    if _fonts_registered:
        return
    for suffix, name in (("Regular", FONT), ("Bold", f"{FONT}-Bold"), ("Italic", f"{FONT}-Italic"),
                         ("BoldItalic", f"{FONT}-BoldItalic")):
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / f"LiberationSerif-{suffix}.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=f"{FONT}-Bold", italic=f"{FONT}-Italic",
                                  boldItalic=f"{FONT}-BoldItalic")
    _fonts_registered = True


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT, fontSize=13, leading=17, alignment=TA_JUSTIFY, spaceAfter=6,
                          firstLineIndent=10 * mm)
    return {
        "body": base,
        "item": ParagraphStyle("item", parent=base, firstLineIndent=0, leftIndent=10 * mm, spaceAfter=2),
        "heading": ParagraphStyle("heading", parent=base, fontName=f"{FONT}-Bold", firstLineIndent=0,
                                  spaceBefore=6),
        "head_left": ParagraphStyle("head_left", parent=base, fontSize=12.5, leading=15, alignment=TA_CENTER,
                                    firstLineIndent=0, spaceAfter=0),
        "head_right": ParagraphStyle("head_right", parent=base, fontName=f"{FONT}-Bold", fontSize=12.5,
                                     leading=15, alignment=TA_CENTER, firstLineIndent=0, spaceAfter=0),
        "number": ParagraphStyle("number", parent=base, alignment=TA_CENTER, firstLineIndent=0, spaceAfter=0),
        "date": ParagraphStyle("date", parent=base, fontName=f"{FONT}-Italic", alignment=TA_CENTER,
                               firstLineIndent=0, spaceAfter=0),
        "title": ParagraphStyle("title", parent=base, fontName=f"{FONT}-Bold", fontSize=14, leading=18,
                                alignment=TA_CENTER, firstLineIndent=0, spaceAfter=0),
        "cell": ParagraphStyle("cell", parent=base, fontSize=12, leading=15, alignment=TA_LEFT, firstLineIndent=0,
                               spaceAfter=0),
        "recipients_head": ParagraphStyle("rh", parent=base, fontName=f"{FONT}-BoldItalic", fontSize=12,
                                          leading=14, alignment=TA_LEFT, firstLineIndent=0, spaceAfter=0),
        "recipients": ParagraphStyle("r", parent=base, fontSize=11, leading=13, alignment=TA_LEFT,
                                     firstLineIndent=0, spaceAfter=0),
        "sign": ParagraphStyle("sign", parent=base, fontName=f"{FONT}-Bold", alignment=TA_CENTER,
                               firstLineIndent=0, spaceAfter=0),
    }


def _p(text: str, style) -> Paragraph:
    return Paragraph(escape(text or "").replace("\n", "<br/>"), style)


def _page_number(canvas, doc) -> None:
    # NĐ 30/2020 Phụ lục I: page numbers centred in the top margin, not on the first page.
    canvas.saveState()
    canvas.setFont(FONT, 13)
    canvas.drawCentredString(A4[0] / 2, A4[1] - 12 * mm, str(doc.page))
    canvas.restoreState()


def render_pdf(context: dict) -> bytes:
    """The PDF of a document from the same context as its DOCX."""
    _register_fonts()
    s = _styles()
    width = A4[0] - MARGINS["left"] - MARGINS["right"]
    left_w, right_w = width * 0.42, width * 0.58
    issuer = [_p(context["parent_body"], s["head_left"]),
              _p(context["issuing_body"], ParagraphStyle("ib", parent=s["head_left"], fontName=f"{FONT}-Bold")),
              HRFlowable(width="35%", thickness=0.6, color=colors.black, spaceBefore=2, spaceAfter=2, hAlign="CENTER")]
    nation = [_p(NATIONAL_TITLE, s["head_right"]),
              Paragraph(f"<u>{MOTTO}</u>", ParagraphStyle("motto", parent=s["head_right"], fontSize=13.5)),
              Spacer(1, 2)]
    header = Table([[issuer, nation],
                    [_p(f"Số: {context['reference']}", s["number"]), _p(context["date_line"], s["date"])]],
                   colWidths=[left_w, right_w])
    header.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 1), (-1, 1), 6)]))
    story = [header, Spacer(1, 14)]
    if context["doc_type"]:
        story.append(_p(context["doc_type"], s["title"]))
    story += [_p(context["summary"], s["title"]),
              HRFlowable(width="25%", thickness=0.6, color=colors.black, spaceBefore=2, spaceAfter=10)]
    for section in context["sections"]:
        story.append(_p(section["title"], s["heading"]))
        for item in section["fields"]:
            story.append(Paragraph(f"- {escape(item['label'])}: {escape(item['value'])}", s["item"]))
        for paragraph in section["paragraphs"]:
            story.append(_p(paragraph, s["body"]))
        table = section.get("table")
        if table:
            rows = [[_p(h, ParagraphStyle("th", parent=s["cell"], fontName=f"{FONT}-Bold")) for h in table["header"]]]
            rows += [[_p(cell, s["cell"]) for cell in row] for row in table["rows"]]
            grid = Table(rows, colWidths=[width * 0.28, width * 0.72], repeatRows=1)
            grid.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                                      ("VALIGN", (0, 0), (-1, -1), "TOP")]))
            story.append(grid)
    recipients = [_p("Nơi nhận:", s["recipients_head"])]
    recipients += [_p(f"- {r};", s["recipients"]) for r in context["recipients"]]
    signature = [_p(line, s["sign"]) for line in context["signature_lines"]]
    signature += [Spacer(1, 22 * mm), _p(context["signer_name"], s["sign"])]
    block = Table([[recipients, signature]], colWidths=[width * 0.45, width * 0.55])
    block.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    story += [Spacer(1, 12), KeepTogether(block)]
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, topMargin=MARGINS["top"], bottomMargin=MARGINS["bottom"],
                            leftMargin=MARGINS["left"], rightMargin=MARGINS["right"],
                            title=f"{context['reference']} {context['summary']}", author=context["issuing_body"],
                            subject=context["doc_type"], creator="ungcuu")
    doc.build(story, onLaterPages=_page_number)
    return out.getvalue()
