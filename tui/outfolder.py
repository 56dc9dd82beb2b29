"""Where exports may be written: anywhere but inside the data repository.

Files written into the clone would look like materials to commit (the next sync would push
them), and into `.git` they could become hooks. The app's export screen and `llweek export -o`
both take the folder through `out_folder`, so both refuse the same folders the same way.
"""

from __future__ import annotations

from pathlib import Path

from datastore.errors import LlweekError


def default_folder(root: Path) -> Path:
    """`exports/` beside the repository."""
    return root.resolve().parent / "exports"


def out_folder(root: Path, typed: str, base: Path | None = None) -> Path:
    """The folder typed (~ expanded; a relative one from `base`, by default the repository's
    parent), links resolved; refused inside the repository or where a file stands."""
    if not typed.strip():
        raise LlweekError("请填写输出文件夹")
    folder = Path(typed.strip()).expanduser()
    if not folder.is_absolute():
        folder = (base if base is not None else root.resolve().parent) / folder
    try:
        folder = folder.resolve()
    except (OSError, RuntimeError):  # a loop of links on the way
        raise LlweekError(f"{typed} 无法使用（路径中有循环的符号链接）：请换一个输出位置") from None
    if folder.is_relative_to(root.resolve()):
        raise LlweekError("输出文件夹不能在材料库里面（导出的文件会被当成材料提交）："
                          f"请换一个，如 {default_folder(root)}")
    if folder.exists() and not folder.is_dir():
        raise LlweekError(f"{folder} 是一个文件，不是文件夹：请换一个输出位置")
    return folder
