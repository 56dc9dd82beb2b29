"""A record's values as a person reads them: `活动名称：…` per field, in the form's order."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from rich.text import Text

from datastore.fieldpath import MISSING, label, model_of_path, show


def record_text(path: str, data: dict[str, Any], undecided: Collection[str] = (),
                width: int = 60, full: bool = False) -> Text:
    """One line per field of the record at `path`; the `undecided` ones say so instead.

    `full` shows a long text whole, paragraph by paragraph, instead of its first words."""
    model = model_of_path(path)
    keys = [k for k in (model.model_fields if model else ()) if k in data]
    keys += [k for k in data if k not in keys]
    text = Text()
    for key in keys:
        text.append(f"{label(model, (key,))}：", style="bold")
        if key in undecided:
            text.append("（尚未选择）\n", style="bold red")
        else:
            value = data[key]
            if full and isinstance(value, str) and "\n" in value.strip():
                text.append("\n" + "".join(f"  {line}\n" for line in value.strip().splitlines()))
            else:
                text.append(show(value if value is not None else MISSING, width) + "\n")
    return text
