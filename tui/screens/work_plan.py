"""工作方案: title, the unit's own opening date, and the text with its 字数."""

from datastore.models import WORK_PLAN
from tui.screens.editor import RecordEditor


class WorkPlanScreen(RecordEditor):
    KIND = WORK_PLAN
