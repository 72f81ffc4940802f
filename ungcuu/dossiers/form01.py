"""Biểu mẫu 01 as an editable DOCX, rendered with docxtpl from a template shipped with the app.

`python -m ungcuu.dossiers.form01` writes the template (templates/docx/bieu_mau_01.docx): an ordinary Word
file with docxtpl (Jinja) tags that an administrator may restyle. The tags: title, subtitle, labels.<name>,
organisation, reception, main, backup (lists of {label, value}), capabilities, systems, staff, experts,
groups (list of {label, value}), commitment, date_line, signature, signature_note.
"""

import io
from pathlib import Path

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from docxtpl import DocxTemplate

TEMPLATE = Path(__file__).resolve().parent / "templates" / "docx" / "bieu_mau_01.docx"
NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"


def _rows(pairs) -> list[dict]:
    return [{"label": str(label), "value": value or ""} for label, value in pairs]


def _focal(point) -> list[dict]:
    get = (lambda f: getattr(point, f)) if point is not None else (lambda f: "")
    return _rows([(_("Full name"), get("full_name")), (_("Position"), get("position")), (_("Address"), get("address")),
                  (_("Landline"), get("landline")), (_("Mobile"), get("mobile")), (_("Fax"), get("fax")),
                  (_("E-mail"), get("email"))])


def context(dossier) -> dict:
    """What the template shows, in Vietnamese (the form goes to the national coordinator)."""
    from ungcuu.dossiers.models import FocalPointRole

    current = {f.role: f for f in dossier.focal_points.filter(until__isnull=True)}
    today = timezone.localdate()
    with translation.override("vi"):
        return {
            "national_title": NATIONAL_TITLE, "motto": MOTTO,
            "title": _("Declaration of the dossier of a member of the incident response network").upper(),
            "subtitle": "(Biểu mẫu 01 — Thông tư 20/2017/TT-BTTTT)"
                        + (f" · {_('member code')}: {dossier.member_code}" if dossier.member_code else ""),
            "labels": {
                "organisation": "1. " + _("Information about the organisation"),
                "reception": "2. " + _("Information for receiving incident notices"),
                "focal": "3. " + _("Incident response focal points"),
                "main": _("Main focal point"), "backup": _("Backup focal point"),
                "capabilities": "4. " + _("Introduction of the organisation's capabilities"),
                "systems": "5. " + _("Information systems in charge"),
                "staff": "6. " + _("IT and information security staff"),
                "groups": "7. " + _("Information security staff by group"),
                "experts": "8. " + _("Experts"),
                "no": _("No."), "system": _("Information system"), "level": _("Security level"),
                "information": _("Information"), "field": _("Field of training"),
                "training_level": _("Level of training"), "certificate": _("Certificates"),
                "count": _("Number of people"), "full_name": _("Full name"), "school": _("School"),
                "speciality": _("Speciality"), "degree": _("Degree or certificate"),
                "graduated": _("Graduated (mm/yyyy)"),
            },
            "organisation": _rows([
                (_("Name of the organisation"), dossier.name), (_("Governing body"), dossier.parent_body),
                (_("Address"), dossier.address), (_("Phone"), dossier.phone), (_("Fax"), dossier.fax),
                (_("E-mail"), dossier.email), (_("Website"), dossier.website),
                (_("Leader in charge of information security"), dossier.security_leader),
                (_("Position"), dossier.security_leader_position)]),
            "reception": _rows([
                (_("Address"), dossier.reception_address), (_("Landline"), dossier.reception_landline),
                (_("Mobile"), dossier.reception_mobile), (_("Fax"), dossier.reception_fax),
                (_("E-mail"), dossier.reception_email)]),
            "main": _focal(current.get(FocalPointRole.MAIN)),
            "backup": _focal(current.get(FocalPointRole.BACKUP)),
            "capabilities": dossier.capabilities,
            "systems": [{"no": i, "name": s.name, "level": s.level,
                         "information": f"{s.owner}" + (f": {s.purpose}" if s.purpose else "")}
                        for i, s in enumerate(dossier.systems.select_related("owner").order_by("-level", "name"), 1)],
            "staff": [{"no": i, "field": s.field, "level": s.level, "certificate": s.certificate, "count": s.count}
                      for i, s in enumerate(dossier.staff.all(), 1)],
            "groups": _rows([
                (_("Security management"), str(dossier.staff_management)),
                (_("Defence against attacks"), str(dossier.staff_defence)),
                (_("System and application protection"), str(dossier.staff_protection)),
                (_("Security testing and assessment"), str(dossier.staff_assessment))]),
            "experts": [{"no": i, "full_name": e.full_name, "school": e.school, "speciality": e.speciality,
                         "degree": e.degree, "graduated": e.graduated} for i, e in enumerate(dossier.experts.all(), 1)],
            "commitment": _("We undertake that the information declared above is true and will be updated in time "
                            "when it changes."),
            "date_line": _("..., day %(day)s month %(month)s year %(year)s") % {
                "day": f"{today:%d}", "month": f"{today:%m}", "year": today.year},
            "signature": _("LEGAL REPRESENTATIVE"),
            "signature_note": "(" + _("Signature, seal or digital signature") + ")",
        }


def render_docx(dossier) -> bytes:
    template = DocxTemplate(str(TEMPLATE))
    template.render(context(dossier), autoescape=True)
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


# The shipped template ------------------------------------------------------------------------------


def build_template():
    from docx import Document as Docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    doc = Docx()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = "Times New Roman", Pt(13)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "Times New Roman")

    def para(text="", *, bold=False, italic=False, underline=False, align=WD_ALIGN_PARAGRAPH.LEFT, after=0):
        paragraph = doc.add_paragraph()
        paragraph.alignment = align
        paragraph.paragraph_format.space_after = Pt(after)
        if text:
            run = paragraph.add_run(text)
            run.bold, run.italic, run.underline = bold, italic, underline
        return paragraph

    def table(headers: list[str], cells: list[str], loop: str):
        grid = doc.add_table(rows=4 if headers else 3, cols=len(cells))
        grid.style = "Table Grid"
        offset = 0
        if headers:
            for column, header in enumerate(headers):
                grid.cell(0, column).text = header
                grid.cell(0, column).paragraphs[0].runs[0].bold = True
            offset = 1
        grid.cell(offset, 0).text = f"{{%tr for row in {loop} %}}"
        for column, cell in enumerate(cells):
            grid.cell(offset + 1, column).text = cell
        grid.cell(offset + 2, 0).text = "{%tr endfor %}"
        para()

    center = WD_ALIGN_PARAGRAPH.CENTER
    para("{{ national_title }}", bold=True, align=center)
    para("{{ motto }}", bold=True, underline=True, align=center, after=12)
    para("{{ title }}", bold=True, align=center)
    para("{{ subtitle }}", italic=True, align=center, after=12)
    fields = ["{{ row.label }}", "{{ row.value }}"]
    for key in ("organisation", "reception"):
        para(f"{{{{ labels.{key} }}}}", bold=True, after=3)
        table([], fields, key)
    para("{{ labels.focal }}", bold=True, after=3)
    for key in ("main", "backup"):
        para(f"{{{{ labels.{key} }}}}", italic=True, after=3)
        table([], fields, key)
    para("{{ labels.capabilities }}", bold=True, after=3)
    para("{{ capabilities }}", after=6)
    para("{{ labels.systems }}", bold=True, after=3)
    table(["{{ labels.no }}", "{{ labels.system }}", "{{ labels.level }}", "{{ labels.information }}"],
          ["{{ row.no }}", "{{ row.name }}", "{{ row.level }}", "{{ row.information }}"], "systems")
    para("{{ labels.staff }}", bold=True, after=3)
    table(["{{ labels.no }}", "{{ labels.field }}", "{{ labels.training_level }}", "{{ labels.certificate }}",
           "{{ labels.count }}"],
          ["{{ row.no }}", "{{ row.field }}", "{{ row.level }}", "{{ row.certificate }}", "{{ row.count }}"], "staff")
    para("{{ labels.groups }}", bold=True, after=3)
    table([], fields, "groups")
    para("{{ labels.experts }}", bold=True, after=3)
    table(["{{ labels.no }}", "{{ labels.full_name }}", "{{ labels.school }}", "{{ labels.speciality }}",
           "{{ labels.degree }}", "{{ labels.graduated }}"],
          ["{{ row.no }}", "{{ row.full_name }}", "{{ row.school }}", "{{ row.speciality }}", "{{ row.degree }}",
           "{{ row.graduated }}"], "experts")
    para("{{ commitment }}", after=12)
    right = WD_ALIGN_PARAGRAPH.RIGHT
    para("{{ date_line }}", italic=True, align=right)
    para("{{ signature }}", bold=True, align=right)
    para("{{ signature_note }}", italic=True, align=right)
    return doc


if __name__ == "__main__":
    TEMPLATE.parent.mkdir(parents=True, exist_ok=True)
    build_template().save(str(TEMPLATE))
    print(TEMPLATE)
