"""展板素材: live counters, six photo slots filled from files on the server, one commit per save."""

from __future__ import annotations

import tomllib

from app_harness import (commit_count, last_commit, make_app, paste_text, screen_text, settle,
                         type_text, via_palette, worktree_changes)
from PIL import Image
from textual.widgets import Input

from tui.screens.exhibition import ExhibitionScreen
from tui.screens.file_picker import FilePicker

EXHIBITION = "units/changchun/exhibition.toml"


async def test_exhibition_reached_from_overview_and_palette(sample_repo):
    app = make_app(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "down", "down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ExhibitionScreen)
        await pilot.press("escape", "escape")
        await via_palette(pilot, "展板")
        assert isinstance(app.screen, ExhibitionScreen)


async def test_title_counter_counts_live_and_flags_over_twenty(sample_repo):
    app = make_app(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "展板素材")
        assert "14/20 字" in screen_text(app)
        await pilot.press("end")
        await type_text(pilot, "再添七个字吧")
        text = screen_text(app)
        assert "20/20 字" in text
        await type_text(pilot, "啊")
        text = screen_text(app)
        assert "21/20 字" in text and "文稿题目 21 字，超过 20 字的上限" in text


async def test_choosing_a_photo_copies_it_and_saves_with_the_record_in_one_commit(sample_repo, tmp_path):
    pictures = tmp_path / "照片"
    pictures.mkdir()
    Image.new("RGB", (1280, 720), (200, 80, 40)).save(pictures / "opening.jpg", "JPEG")
    original = (pictures / "opening.jpg").read_bytes()
    app = make_app(sample_repo, picker_start=pictures)
    before = commit_count(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "展板素材")
        app.screen.query_one("#photo-1").focus()
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FilePicker)
        await pilot.press("down", "enter")  # the tree shows the folder's one photo
        await settle(pilot)
        assert isinstance(app.screen, ExhibitionScreen)
        text = screen_text(app)
        assert "opening.jpg  1280×720  分辨率不足" in text
        caption = app.screen.query_one("#caption-1", Input)
        caption.focus()
        caption.value = ""
        await type_text(pilot, "开幕式")
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert commit_count(sample_repo) == before + 1
    _, subject, paths = last_commit(sample_repo)
    assert subject.startswith("长春市: 修改 展板素材")
    assert EXHIBITION in paths and "units/changchun/photos/opening.jpg" in paths
    assert (sample_repo / "units/changchun/photos/opening.jpg").read_bytes() == original
    saved = tomllib.loads((sample_repo / EXHIBITION).read_text(encoding="utf-8"))
    assert saved["photos"][0] == {"file": "opening.jpg", "caption": "开幕式"}
    assert len(saved["photos"]) == 6
    assert worktree_changes(sample_repo) == ""


async def test_a_file_that_is_not_a_photo_is_refused_with_a_message(sample_repo, tmp_path):
    (tmp_path / "notes.jpg").write_text("这不是照片", encoding="utf-8")
    app = make_app(sample_repo, picker_start=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "展板素材")
        app.screen.query_one("#photo-2").focus()
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        app.screen.query_one("#path", Input).focus()
        await paste_text(pilot, str(tmp_path / "notes.jpg"))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FilePicker)  # said in the picker, which stays open
        assert "notes.jpg：不是可识别的图片文件，请选择一张照片" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ExhibitionScreen)
        assert "exh-02.jpg" in screen_text(app)
    assert not (sample_repo / "units/changchun/photos/notes.jpg").exists()
