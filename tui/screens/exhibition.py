"""展板素材: a title of at most 20 字, about 500 字 of text, six named photos."""

from datastore.models import EXHIBITION
from tui.screens.editor import RecordEditor


class ExhibitionScreen(RecordEditor):
    KIND = EXHIBITION
    PHOTOS = ("exhibition_photos", "活动图片")
