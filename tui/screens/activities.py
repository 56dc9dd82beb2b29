"""附表1 示范活动: the unit's activities in 序号 order, and the form of one activity."""

from datastore.models import ACTIVITIES
from tui.screens.editor import RecordEditor
from tui.screens.record_list import RecordListScreen


class ActivityEditor(RecordEditor):
    KIND = ACTIVITIES


class ActivitiesScreen(RecordListScreen):
    KIND = ACTIVITIES
    EDITOR = ActivityEditor
    COLUMNS = (("name", 26), ("start", 5), ("end", 5), ("venue", 14), ("participants", 6))
