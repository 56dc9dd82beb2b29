"""典型活动案例: the unit's cases (the notice asks for two), each with photos if it has any."""

from datastore.models import CASES
from tui.screens.editor import RecordEditor
from tui.screens.record_list import RecordListScreen


class CaseEditor(RecordEditor):
    KIND = CASES
    PHOTOS = ("case_photos", "选填照片")


class CasesScreen(RecordListScreen):
    KIND = CASES
    EDITOR = CaseEditor
    COLUMNS = (("title", 48),)
    MEASURE = "个"
