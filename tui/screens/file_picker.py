"""Choosing a photo that is already on the server: folders and image files only.

A file that is not a readable photo, or is over the size limit, is refused here, in the
picker, with the reason; the picker stays open to choose another.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import DirectoryTree, Input, Label, Static

from datastore.photos import PHOTO_SUFFIXES, PhotoInfo, inspect_photo
from tui.jobs import Job


class PhotoTree(DirectoryTree):
    """Folders and photos; hidden files left out."""

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        for path in paths:
            if path.name.startswith("."):
                continue
            try:
                if path.is_dir() or path.suffix.lower() in PHOTO_SUFFIXES:
                    yield path
            except OSError:
                continue


def refusal(path: Path, info: PhotoInfo, max_mb: int) -> str | None:
    """Why `path` cannot be used as a photo, or None."""
    if not info.ok:
        return f"{path.name}：{info.problem}，请选择一张照片"
    if info.size_bytes > max_mb * 1024 * 1024:
        return (f"{path.name} 大小 {info.size_bytes / 1048576:.1f} MB，超过 {max_mb} MB 的上限，"
                "请选择较小的文件")
    return None


class FilePicker(ModalScreen[Path | None]):
    """Answers the chosen photo, or None."""

    BINDINGS = [
        Binding("escape", "cancel", "取消"),
        Binding("backspace", "up", "上一级文件夹", show=True),
    ]

    def __init__(self, start: Path, max_mb: int = 20) -> None:
        super().__init__()
        self.start = start if start.is_dir() else Path.home()
        self.max_mb = max_mb

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide picker"):
            yield Static("选择照片：↑↓ 移动，Enter 打开文件夹或选中照片，Backspace 上一级，Esc 取消",
                         classes="question")
            yield Label(str(self.start), id="folder", markup=False)
            yield PhotoTree(self.start, id="tree")
            with Horizontal(classes="field-line"):
                yield Label("或输入路径", classes="field-label")
                yield Input(placeholder="如 ~/照片/开幕式.jpg", id="path", compact=True)
            yield Static("", id="problem", classes="field-findings", markup=False)

    def on_mount(self) -> None:
        self.query_one("#problem").display = False
        self.query_one(PhotoTree).focus()

    def on_directory_tree_file_selected(self, event: DirectoryTree.FileSelected) -> None:
        event.stop()
        self.check(event.path)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        path = Path(event.value.strip()).expanduser()
        if path.is_dir():
            self._show_folder(path)
        elif path.is_file():
            self.check(path)
        else:
            self.problem(f"找不到文件：{path}")

    def check(self, path: Path) -> None:
        """Read the file's header in a worker; answer it if it is a usable photo."""
        def checked(info: PhotoInfo) -> None:
            why = refusal(path, info, self.max_mb)
            if why is None:
                self.dismiss(path)
            elif self.is_attached:
                self.problem(why)

        self.app.submit(Job(lambda: inspect_photo(path), checked))  # type: ignore[attr-defined]

    def problem(self, message: str) -> None:
        box = self.query_one("#problem", Static)
        box.update(message)
        box.display = True

    def action_up(self) -> None:
        tree = self.query_one(PhotoTree)
        self._show_folder(Path(tree.path).parent)

    def _show_folder(self, folder: Path) -> None:
        tree = self.query_one(PhotoTree)
        tree.path = folder
        self.query_one("#folder", Label).update(str(folder))
        tree.focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
