"""Write the shipped DOCX templates (templates/docx/<kind>.docx): `python -m ungcuu.documents.make_templates`.

They are ordinary Word files with docxtpl (Jinja) tags; an administrator may open one in Word, change the
wording or layout, keep the tags, and put it in DOCUMENTS_TEMPLATE_DIR under the same name. The tags:
parent_body, issuing_body, reference, date_line, doc_type, summary, sections (title, fields[label, value],
paragraphs, table{header, rows}), signature_lines, signer_name, recipients, incident.<field> (content.py).
"""

from pathlib import Path

from docx import Document as Docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from ungcuu.documents.render import MOTTO, NATIONAL_TITLE

TARGET = Path(__file__).resolve().parent / "templates" / "docx"


def _paragraph(container, text: str = "", *, bold=False, italic=False, underline=False, size=13,
               align=WD_ALIGN_PARAGRAPH.LEFT, indent=None, after=0):
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(after)
    paragraph.paragraph_format.space_before = Pt(0)
    if indent is not None:
        paragraph.paragraph_format.first_line_indent = indent
    if text:
        run = paragraph.add_run(text)
        run.bold, run.italic, run.underline, run.font.size = bold, italic, underline, Pt(size)
    return paragraph


def _no_borders(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def _cell(table, row, column):
    cell = table.cell(row, column)
    cell.paragraphs[0]._element.getparent().remove(cell.paragraphs[0]._element)
    return cell


def build() -> Docx:
    doc = Docx()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = "Times New Roman", Pt(13)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "Times New Roman")

    header = doc.add_table(rows=2, cols=2)
    header.alignment = WD_TABLE_ALIGNMENT.CENTER
    _no_borders(header)
    header.columns[0].width = header.cell(0, 0).width = header.cell(1, 0).width = Cm(7)
    header.columns[1].width = header.cell(0, 1).width = header.cell(1, 1).width = Cm(9.5)
    center = WD_ALIGN_PARAGRAPH.CENTER
    left = _cell(header, 0, 0)
    _paragraph(left, "{{ parent_body }}", size=12.5, align=center)
    _paragraph(left, "{{ issuing_body }}", bold=True, size=12.5, align=center)
    _paragraph(left, "——————", size=10, align=center)
    right = _cell(header, 0, 1)
    _paragraph(right, NATIONAL_TITLE, bold=True, size=12.5, align=center)
    _paragraph(right, MOTTO, bold=True, underline=True, size=13.5, align=center)
    _paragraph(_cell(header, 1, 0), "Số: {{ reference }}", align=center)
    _paragraph(_cell(header, 1, 1), "{{ date_line }}", italic=True, align=center)

    _paragraph(doc, "", after=6)
    _paragraph(doc, "{{ doc_type }}", bold=True, size=14, align=center)
    _paragraph(doc, "{{ summary }}", bold=True, size=14, align=center)
    _paragraph(doc, "—————", size=10, align=center, after=6)

    indent = Cm(1)
    _paragraph(doc, "{%p for s in sections %}")
    _paragraph(doc, "{{ s.title }}", bold=True, after=3)
    _paragraph(doc, "{%p for it in s.fields %}")
    _paragraph(doc, "- {{ it.label }}: {{ it.value }}", indent=indent, after=2)
    _paragraph(doc, "{%p endfor %}")
    _paragraph(doc, "{%p for text in s.paragraphs %}")
    _paragraph(doc, "{{ text }}", indent=indent, align=WD_ALIGN_PARAGRAPH.JUSTIFY, after=6)
    _paragraph(doc, "{%p endfor %}")
    _paragraph(doc, "{%p if s.table %}")
    grid = doc.add_table(rows=3, cols=2)
    grid.style = "Table Grid"
    grid.cell(0, 0).text, grid.cell(0, 1).text = "{{ s.table.header[0] }}", "{{ s.table.header[1] }}"
    for cell in grid.rows[0].cells:
        cell.paragraphs[0].runs[0].bold = True
    grid.cell(1, 0).text = "{%tr for row in s.table.rows %}"
    grid.cell(2, 0).text, grid.cell(2, 1).text = "{{ row[0] }}", "{{ row[1] }}"
    grid.add_row().cells[0].text = "{%tr endfor %}"
    grid.columns[0].width = Cm(4.5)
    _paragraph(doc, "{%p endif %}")
    _paragraph(doc, "{%p endfor %}")

    _paragraph(doc, "", after=6)
    closing = doc.add_table(rows=1, cols=2)
    _no_borders(closing)
    recipients = _cell(closing, 0, 0)
    _paragraph(recipients, "Nơi nhận:", bold=True, italic=True, size=12)
    _paragraph(recipients, "{%p for r in recipients %}")
    _paragraph(recipients, "- {{ r }};", size=11)
    _paragraph(recipients, "{%p endfor %}")
    signature = _cell(closing, 0, 1)
    _paragraph(signature, "{%p for line in signature_lines %}")
    _paragraph(signature, "{{ line }}", bold=True, align=center)
    _paragraph(signature, "{%p endfor %}")
    for _blank in range(4):
        _paragraph(signature, "", align=center)
    _paragraph(signature, "{{ signer_name }}", bold=True, align=center)
    return doc


def main() -> None:
    from ungcuu.documents.models import DocumentKind

    TARGET.mkdir(parents=True, exist_ok=True)
    for kind in DocumentKind.values:
        build().save(TARGET / f"{kind}.docx")
        print(TARGET / f"{kind}.docx")


if __name__ == "__main__":
    import django

    django.setup()
    main()
