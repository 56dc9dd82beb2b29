"""年度工作总结: at least 1500 字 and eight photos."""

from datastore.models import SUMMARY
from tui.screens.editor import RecordEditor


class SummaryScreen(RecordEditor):
    KIND = SUMMARY
    PHOTOS = ("summary_photos", "照片")
