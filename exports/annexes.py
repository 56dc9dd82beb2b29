"""The five annex tables of the notice: their titles, columns, notes and form lines.

Labels come from the models' field metadata; the few places where the notice words a header
differently (活动时间 spans three fields, 先进单位全称, 联系电话) are written here, once.
The importer reads the same definitions back, so what is exported can be imported.
"""

from __future__ import annotations

from dataclasses import dataclass

from datastore.models import (
    ACTIVITIES,
    ADVANCED_PEOPLE,
    ADVANCED_UNITS,
    Campaign,
    RecordKind,
)
from datastore.printfit import CONTENT_WIDTH, LANDSCAPE, PORTRAIT, Page

CONTACT_LABEL = "填表联系人："
PHONE_LABEL = "联系电话："
STAMP = "（盖章）"
TITLE_BREAK = "|"  # where a title too wide for the page breaks onto its second line
DATE_BLANK = "　　　　年　　月　　日"
OPINION_FIELDS = ("unit_opinion", "city_opinion", "province_opinion")
CONTACT_FIELDS = ("contact_name", "contact_phone")
#: fields holding phone numbers: several are written one to a line rather than split
PHONE_FIELDS = ("signup_phone", "phone", "contact_phone")


@dataclass(frozen=True)
class Column:
    """One column of a printed table; no fields means the row's position (序号)."""

    header: str
    fields: tuple[str, ...]
    width: float  # points on the printed page
    centered: bool = False


@dataclass(frozen=True)
class Annex:
    """附表N: a table (columns, numbered rows) or a label/value form (lines of fields)."""

    number: int
    kind: RecordKind
    title: str  # formatted with the campaign's year and province
    columns: tuple[Column, ...] = ()
    rows: int = 0  # numbered rows even a blank table keeps
    note: str | None = None
    lines: tuple[tuple[str, ...], ...] = ()  # forms: one or two fields per line
    landscape: bool = False

    @property
    def page(self) -> Page:
        return LANDSCAPE if self.landscape else PORTRAIT

    @property
    def label(self) -> str:
        return f"附表{self.number}"

    @property
    def is_form(self) -> bool:
        return not self.columns

    @property
    def is_ranked_list(self) -> bool:
        """附表3 and 附表5 name their unit on top: 推荐单位 …（盖章）."""
        return bool(self.columns) and self.kind.order_field == "rank"

    def title_for(self, campaign: Campaign, *, broken: bool = False) -> str:
        """The title with the campaign's year and province; `broken`: on two lines."""
        title = self.title.format(year=campaign.year or "", province=campaign.province or "吉林省")
        return title.replace(TITLE_BREAK, "\n" if broken else "")

    @property
    def flat_fields(self) -> tuple[str, ...]:
        """The fields of the roll-up's flat 汇总 sheet, one column each: a form's lines and
        its 先进事迹 (who filled it in and the stamped opinions are on each form's sheet)."""
        if self.is_form:
            return (self.kind.order_field or "id", *(f for line in self.lines for f in line),
                    "deeds")
        return tuple(f for column in self.columns
                     for f in (column.fields or (self.kind.order_field or "id",)))


def column(kind: RecordKind, name: str, width: float, *, header: str | None = None,
           centered: bool = False) -> Column:
    """A column showing one field, headed by the model's label unless the notice words it."""
    return Column(header or kind.model.label_of(name), (name,), width, centered)


ANNEXES: dict[int, Annex] = {
    1: Annex(
        1, ACTIVITIES, "{year}年“{province}全民终身学习示范活动”汇总表",
        columns=(
            Column("序号", (), 30, centered=True),
            column(ACTIVITIES, "name", 90),
            Column("活动时间", ("start", "end", "time_note"), 116),
            column(ACTIVITIES, "venue", 80),
            column(ACTIVITIES, "organizer", 80),
            column(ACTIVITIES, "participants", 38, centered=True),
            column(ACTIVITIES, "signup_phone", 116),
            column(ACTIVITIES, "content", CONTENT_WIDTH),
        ),
        rows=10, note="注：活动不限 10 项，请根据实际情况填报。", landscape=True),
    2: Annex(
        2, ADVANCED_UNITS, "{year}年{province}全民终身学习活动周|工作先进单位申报表",
        lines=(("full_name",), ("parent_org",), ("leader", "leader_title"), ("address", "phone"))),
    3: Annex(
        3, ADVANCED_UNITS, "{year}年{province}全民终身学习活动周|工作先进单位汇总表",
        columns=(
            column(ADVANCED_UNITS, "rank", 80, centered=True),
            column(ADVANCED_UNITS, "full_name", 360, header="先进单位全称"),
        ),
        rows=8, note="注：请按推荐顺序填写登记表。"),
    4: Annex(
        4, ADVANCED_PEOPLE, "{year}年{province}全民终身学习活动周|工作先进个人申报表",
        lines=(("name", "birth_date"), ("gender", "ethnicity"), ("employer", "title"),
               ("email", "phone"))),
    5: Annex(
        5, ADVANCED_PEOPLE, "{year}年{province}全民终身学习活动周|工作先进个人汇总表",
        columns=(
            column(ADVANCED_PEOPLE, "rank", 56, centered=True),
            column(ADVANCED_PEOPLE, "name", 62),
            column(ADVANCED_PEOPLE, "gender", 36, centered=True),
            column(ADVANCED_PEOPLE, "title", 76),
            column(ADVANCED_PEOPLE, "employer", 108),
            column(ADVANCED_PEOPLE, "phone", 102, header="联系电话"),
        ),
        rows=8, note="注：请按推荐顺序填写登记表。"),
}
