"""Photos nobody saved: a picked photo joins the repository only with the save that uses it; a
photo replaced by a save leaves the tracked files in that commit (history keeps it, restoring
brings it back); sync never commits an untracked photo without listing it and asking."""

from __future__ import annotations

from pathlib import Path

from app_harness import clones, make_app, paste_text, screen_text, settle, via_palette, \
    worktree_changes
from conftest import git, set_identity
from PIL import Image
from textual.widgets import Input

from datastore.history import record_history, restore
from datastore.sync import sync
from datastore.tomlio import digest
from tests.builders import jpeg_bytes
from tests.gitscenarios import EXHIBITION, fields, llweek
from tui.screens.dialogs import ConfirmDialog, UnsavedDialog
from tui.screens.exhibition import ExhibitionScreen
from tui.screens.file_picker import FilePicker

PHOTOS = "units/changchun/photos"


def pictures(folder: Path) -> Path:
    """Two photos on the server, as staff would have them."""
    folder.mkdir()
    Image.new("RGB", (1920, 1080), (200, 80, 40)).save(folder / "first.jpg", "JPEG")
    Image.new("RGB", (1920, 1080), (40, 80, 200)).save(folder / "second.jpg", "JPEG")
    return folder


async def pick(pilot, app, slot: int, path: Path) -> None:
    """Choose `path` for photo slot `slot` by typing its path in the picker."""
    app.screen.query_one(f"#photo-{slot}").focus()
    await pilot.pause()
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, FilePicker)
    app.screen.query_one("#path", Input).focus()
    await paste_text(pilot, str(path))
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, ExhibitionScreen)


def tracked(repo: Path) -> set[str]:
    return set(git(repo, "ls-files", PHOTOS).split())


async def test_a_photo_replaced_before_saving_never_reaches_the_repository(sample_repo, tmp_path):
    folder = pictures(tmp_path / "照片")
    app = make_app(sample_repo, picker_start=folder)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "展板素材")
        await pick(pilot, app, 1, folder / "first.jpg")
        assert "first.jpg  1920×1080  分辨率合格" in screen_text(app)
        assert worktree_changes(sample_repo) == ""  # picked: not in the tracked tree yet
        await pick(pilot, app, 1, folder / "second.jpg")
        await pilot.press("ctrl+s")
        await settle(pilot)
    names = git(sample_repo, "show", "--name-status", "--format=", "HEAD").splitlines()
    assert f"A\t{PHOTOS}/second.jpg" in names
    assert f"D\t{PHOTOS}/exh-01.jpg" in names  # replaced by this save, removed in its commit
    assert f"{PHOTOS}/first.jpg" not in " ".join(names)
    assert f"{PHOTOS}/exh-01.jpg" not in tracked(sample_repo)
    assert not (sample_repo / PHOTOS / "first.jpg").exists()
    assert fields(sample_repo, EXHIBITION)["photos"][0]["file"] == "second.jpg"
    assert worktree_changes(sample_repo) == ""  # no untracked photo left behind
    assert not list((sample_repo / ".git/llweek/photos/changchun").iterdir())


async def test_restoring_the_version_before_brings_its_photo_back(sample_repo, tmp_path):
    folder = pictures(tmp_path / "照片")
    app = make_app(sample_repo, picker_start=folder)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "展板素材")
        await pick(pilot, app, 1, folder / "first.jpg")
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert not (sample_repo / PHOTOS / "exh-01.jpg").exists()
    versions = record_history(sample_repo, EXHIBITION)
    before = versions[1].commit.hash  # the newest but one: before the photo was replaced
    restore(sample_repo, EXHIBITION, before, expected=digest((sample_repo / EXHIBITION).read_bytes()))
    assert (sample_repo / PHOTOS / "exh-01.jpg").exists()
    assert f"{PHOTOS}/exh-01.jpg" in tracked(sample_repo)
    assert f"{PHOTOS}/first.jpg" not in tracked(sample_repo)
    assert fields(sample_repo, EXHIBITION)["photos"][0]["file"] == "exh-01.jpg"
    assert worktree_changes(sample_repo) == ""


async def test_a_photo_picked_in_a_form_left_without_saving_is_forgotten(sample_repo, tmp_path):
    folder = pictures(tmp_path / "照片")
    app = make_app(sample_repo, picker_start=folder)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "展板素材")
        await pick(pilot, app, 2, folder / "first.jpg")
        await pilot.press("escape")
        assert isinstance(app.screen, UnsavedDialog)
        await pilot.click("#discard")
        await settle(pilot)
    assert not list((sample_repo / ".git/llweek/photos/changchun").iterdir())
    assert worktree_changes(sample_repo) == ""


async def test_sync_lists_an_untracked_photo_and_commits_it_only_when_asked(tmp_path, sample_master):
    mine, other = clones(tmp_path, sample_master)
    (mine / PHOTOS / "copied-by-hand.jpg").write_bytes(jpeg_bytes(1920, 1080))
    app = make_app(mine)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        text = screen_text(app)
        assert f"{PHOTOS}/copied-by-hand.jpg" in text and "这次没有提交" in text
        assert "?? " + f"{PHOTOS}/copied-by-hand.jpg" in worktree_changes(mine)
        await pilot.click("#yes")  # 提交并推送
        await settle(pilot)
    assert f"{PHOTOS}/copied-by-hand.jpg" in tracked(mine)
    assert worktree_changes(mine) == ""
    sync(other)
    assert (other / PHOTOS / "copied-by-hand.jpg").exists()


def test_the_command_line_sync_leaves_untracked_photos_unless_asked(tmp_path, sample_master, capsys):
    mine, _ = clones(tmp_path, sample_master)
    set_identity(mine, "张丽", "cc_zhangli@126.com")  # 长春市's staff, by her Git e-mail
    (mine / PHOTOS / "copied-by-hand.jpg").write_bytes(jpeg_bytes(1920, 1080))
    code, _, err = llweek(capsys, "sync", "-C", str(mine))
    assert code == 0
    assert f"未提交 1 张没有被任何保存用到的照片：{PHOTOS}/copied-by-hand.jpg" in err
    assert f"{PHOTOS}/copied-by-hand.jpg" not in tracked(mine)
    code, out, _ = llweek(capsys, "sync", "-C", str(mine), "--with-photos")
    assert code == 0 and "推送 1 个提交" in out
    assert f"{PHOTOS}/copied-by-hand.jpg" in tracked(mine)
