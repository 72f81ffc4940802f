"""Incident and indicator lists as CSV and XLSX, streamed in chunks.

Rows are read with `.iterator(chunk_size=…)`, so memory and the number of queries stay constant
however long the list is. CSV is UTF-8 with a byte-order mark (Excel then shows Vietnamese
correctly); dates are dd/mm/yyyy HH:MM in the deployment's time zone (Asia/Ho_Chi_Minh).
"""

import csv
import io
import tempfile
from collections.abc import Iterator

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ungcuu.incidents import search
from ungcuu.incidents.models import Incident, Indicator

CHUNK_SIZE = 2000
BOM = "\ufeff"
# Text from reporters (titles, indicator values) must not become a spreadsheet formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _when(value) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else ""


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


# (header, width in characters, value of one row); headers are msgids the catalogue already has.
INCIDENT_COLUMNS = (
    (lambda: _("Reference"), 16, lambda i: i.reference),
    (lambda: _("Title"), 50, lambda i: i.title),
    (lambda: _("Status"), 24, lambda i: i.get_status_display()),
    (lambda: _("Step"), 28, lambda i: i.get_step_display()),
    (lambda: _("Severity"), 20, lambda i: i.get_severity_display()),
    (lambda: _("Cause"), 28, lambda i: i.get_cause_display() if i.cause else ""),
    (lambda: _("Attack type"), 28, lambda i: i.get_attack_type_display() if i.attack_type else ""),
    (lambda: _("Channel"), 18, lambda i: i.get_channel_display()),
    (lambda: _("Confidential"), 10, lambda i: _yes_no(i.confidential)),
    (lambda: _("Reporting organisation"), 32, lambda i: i.organisation.name if i.organisation_id else i.reporter_name),
    (lambda: _("System"), 32, lambda i: i.system.name if i.system_id else i.system_name),
    (lambda: _("Detected at"), 17, lambda i: _when(i.detected_at)),
    (lambda: _("Received at"), 17, lambda i: _when(i.created_at)),
)

INDICATOR_COLUMNS = (
    (lambda: _("Incident"), 16, lambda x: x.incident.reference),
    (lambda: _("Kind"), 14, lambda x: x.get_kind_display()),
    (lambda: _("Value"), 60, lambda x: x.value),
    (lambda: _("Source"), 22, lambda x: str(x.source_label)),
    (lambda: _("Added at"), 17, lambda x: _when(x.created_at)),
)


def incidents_for(user, filters: search.IncidentFilters):
    """The incidents the user may see, filtered and ordered as on the incident list."""
    column, descending = search.SORTS.get(filters.sort, search.SORTS[search.DEFAULT_SORT])
    order = [f"-{column}", "-id"] if descending else [column, "id"]
    return search.apply(Incident.objects.visible_to(user).list_columns(), filters).order_by(*order)


def indicators_for(user, filters: search.IncidentFilters):
    """The indicators of the incidents the user may see (with the same filters), newest incident first."""
    incidents = search.apply(Incident.objects.visible_to(user), filters)
    return (Indicator.objects.filter(incident__in=incidents.values("pk"))
            .select_related("incident").only("kind", "value", "source", "created_at", "incident__reference")
            .order_by("-incident__detected_at", "incident_id", "kind", "value"))


def _rows(columns, queryset) -> Iterator[list[str]]:
    yield [str(header()) for header, _width, _value in columns]
    for obj in queryset.iterator(chunk_size=CHUNK_SIZE):
        yield [value(obj) for _header, _width, value in columns]


def csv_chunks(columns, queryset) -> Iterator[str]:
    """CSV text in pieces of about one chunk of rows, starting with the byte-order mark."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer)
    for number, row in enumerate(_rows(columns, queryset)):
        writer.writerow([f"'{text}" if text.startswith(FORMULA_STARTS) else text for text in row])
        if number % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def xlsx_file(columns, queryset, *, title: str):
    """An XLSX workbook in a temporary file (write-only mode, so rows are not kept in memory): bold header
    row, column widths, the first row frozen. The caller sends and closes the file."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for index, (_header, width, _value) in enumerate(columns):
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    for number, row in enumerate(_rows(columns, queryset)):
        if number == 0:
            row = [_bold_cell(sheet, text, bold) for text in row]
        else:
            row = [_text_cell(sheet, text) if text.startswith("=") else text for text in row]
        sheet.append(row)
    output = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it once sent)
    workbook.save(output)
    output.seek(0)
    return output


def _bold_cell(sheet, text: str, font: Font) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=text)
    cell.font = font
    return cell


def _text_cell(sheet, text: str) -> WriteOnlyCell:
    """A cell that shows text starting with "=" as it is instead of evaluating it."""
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    return cell
