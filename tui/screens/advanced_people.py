"""先进个人: 附表4 one form per person, ranked by 推荐序号 (which is 附表5)."""

from datastore.models import ADVANCED_PEOPLE
from tui.screens.editor import RecordEditor
from tui.screens.record_list import RecordListScreen


class AdvancedPersonEditor(RecordEditor):
    KIND = ADVANCED_PEOPLE


class AdvancedPeopleScreen(RecordListScreen):
    KIND = ADVANCED_PEOPLE
    EDITOR = AdvancedPersonEditor
    COLUMNS = (("name", 8), ("gender", 4), ("title", 10), ("employer", 26))
    MEASURE = "人"
