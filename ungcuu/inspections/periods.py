"""The duty periods of inspections, scans and hunts as data, and the due-date arithmetic (pure, no database).

National periods (REGULATION.md §3.4, §3.6, §7 rules 39 and 47):
- NĐ 85/2016/NĐ-CP Điều 20.2.c: organisation-wide inspection and risk management every 2 years; systems of
  level 3 and 4 yearly; level 5 every 6 months; from level 3 by a licensed or designated body. The decree sets
  no system-level period for levels 1–2 (seed 004's footnote reads the 2-year bullet as "levels 1, 2"; the
  decree text says the organisation as a whole).
- Chỉ thị 18/CT-TTg (13/10/2022): threat hunting and vulnerability scanning at least once every 6 months on
  the systems in scope; seed 004 (Cao Bằng) cites it as "điểm b khoản 1".

A period in months ends on the corresponding day of the last month, or on that month's last day when it has
no such day (Bộ luật Dân sự 2015 Điều 147–148): 31/08 + 6 months = 28/02 (29/02 in a leap year).
"""

from dataclasses import dataclass
from datetime import date

from ungcuu.deadlines.calendar import add_months

ND85 = "Nghị định 85/2016/NĐ-CP"
CT18 = "Chỉ thị 18/CT-TTg ngày 13/10/2022"
ND85_ARTICLE = "Điều 20.2.c"
CT18_ARTICLE = "điểm b khoản 1"

QUOTE_ORGANISATION = ("Định kỳ 02 năm thực hiện kiểm tra, đánh giá an toàn thông tin và quản lý rủi ro an toàn "
                      "thông tin tổng thể trong hoạt động của cơ quan, tổ chức mình")
QUOTE_LEVEL_3_4 = "Định kỳ hàng năm … đối với các hệ thống cấp độ 3 và cấp độ 4"
QUOTE_LEVEL_5 = ("Định kỳ 06 tháng (hoặc đột xuất khi thấy cần thiết hoặc theo yêu cầu, cảnh báo của cơ quan "
                 "chức năng) … đối với hệ thống cấp độ 5")
QUOTE_LICENSED = ("Việc kiểm tra, đánh giá … đối với hệ thống từ cấp độ 3 trở lên phải do tổ chức chuyên môn được "
                  "cơ quan có thẩm quyền cấp phép; tổ chức sự nghiệp nhà nước có chức năng, nhiệm vụ phù hợp hoặc "
                  "do tổ chức chuyên môn được cấp có thẩm quyền chỉ định thực hiện.")
QUOTE_LEVEL_1_2 = "—"  # the decree has no system-level bullet for levels 1 and 2
QUOTE_CT18 = ("Chủ động thực hiện săn lùng mối nguy hại và rà quét lỗ hổng trên các hệ thống thông tin trong phạm "
              "vi quản lý tối thiểu 01 lần/6 tháng")

# From this level an inspection must be done by a licensed or designated body (NĐ 85 Điều 20.2.c, last bullet).
LICENSED_FROM_LEVEL = 3


@dataclass(frozen=True)
class NationalPeriod:
    """One duty as the national texts set it: what, for which systems, how often, and where it is written."""

    code: str
    kind: str  # inspection | vulnerability_scan | threat_hunt (the deadline kinds)
    scope: str  # system | organisation
    level: int | None  # the system level it applies to; None = every level (or the organisation)
    months: int | None  # None: the texts set no period for it
    source_document: str
    article: str
    quote: str
    licensed_required: bool = False

    @property
    def source(self) -> str:
        return f"{self.source_document} {self.article}"


NATIONAL_PERIODS: dict[str, NationalPeriod] = {p.code: p for p in [
    NationalPeriod("organisation_inspection", "inspection", "organisation", None, 24, ND85, ND85_ARTICLE,
                   QUOTE_ORGANISATION),
    NationalPeriod("inspection_level_1", "inspection", "system", 1, None, ND85, ND85_ARTICLE, QUOTE_LEVEL_1_2),
    NationalPeriod("inspection_level_2", "inspection", "system", 2, None, ND85, ND85_ARTICLE, QUOTE_LEVEL_1_2),
    NationalPeriod("inspection_level_3", "inspection", "system", 3, 12, ND85, ND85_ARTICLE, QUOTE_LEVEL_3_4, True),
    NationalPeriod("inspection_level_4", "inspection", "system", 4, 12, ND85, ND85_ARTICLE, QUOTE_LEVEL_3_4, True),
    NationalPeriod("inspection_level_5", "inspection", "system", 5, 6, ND85, ND85_ARTICLE, QUOTE_LEVEL_5, True),
    NationalPeriod("vulnerability_scan", "vulnerability_scan", "system", None, 6, CT18, CT18_ARTICLE, QUOTE_CT18),
    NationalPeriod("threat_hunt", "threat_hunt", "system", None, 6, CT18, CT18_ARTICLE, QUOTE_CT18),
]}


def duty_code(kind: str, scope: str, level: int | None = None) -> str:
    """The duty a result of `kind` on a system of `level` (or on an organisation) fulfils."""
    if kind == "inspection":
        return "organisation_inspection" if scope == "organisation" else f"inspection_level_{level}"
    return kind


def licensed_required(kind: str, scope: str, level: int | None) -> bool:
    return kind == "inspection" and scope == "system" and level is not None and level >= LICENSED_FROM_LEVEL


def stricter(national: int | None, months: int) -> bool:
    """A provincial period is acceptable only if shorter than the national one (any period, where none is set)."""
    return national is None or months < national


def next_due(*, months: int | None, last_done: date | None, base: date | None, today: date) -> date | None:
    """When the duty is next due: the last time it was done plus the period; never done, the period counted from
    `base` (the system's level approval); with neither, today. None when no period applies."""
    if months is None:
        return None
    if last_done is not None:
        return add_months(last_done, months)
    if base is not None:
        return add_months(base, months)
    return today
