"""先进单位: 附表2 one form per unit, ranked by 推荐序号 (which is 附表3)."""

from datastore.models import ADVANCED_UNITS
from tui.screens.editor import RecordEditor
from tui.screens.record_list import RecordListScreen


class AdvancedUnitEditor(RecordEditor):
    KIND = ADVANCED_UNITS


class AdvancedUnitsScreen(RecordListScreen):
    KIND = ADVANCED_UNITS
    EDITOR = AdvancedUnitEditor
    COLUMNS = (("full_name", 30), ("leader", 8), ("phone", 14))
    MEASURE = "个"
