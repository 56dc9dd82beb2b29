"""Naming one value inside a record: its key path, its Chinese label, how it reads on screen.

Merges, conflicts and history all talk about "this field of this record". A field is found by
a key path (`datastore.keypath`); this module adds what the models know: which model a path
holds and the label of a key path in the words of the form.
"""

from __future__ import annotations

from datastore import fieldtable
from datastore.keypath import (  # noqa: F401 - the key path helpers, named here as before
    MISSING,
    Item,
    KeyPath,
    find_item,
    get,
    is_table_list,
    item_key,
    put,
    show,
    show_apart,
)
from datastore.loader import ACCESS_FILE, CAMPAIGN_FILE, kind_of_path
from datastore.models import Access, Campaign, Record, Reviews


def model_of_path(rel: str) -> type[Record] | None:
    """The model that describes the file at `rel`, None for files llweek does not know."""
    if rel == CAMPAIGN_FILE:
        return Campaign
    if rel == ACCESS_FILE:
        return Access
    if rel.startswith("reviews/") and rel.endswith(".toml") and rel.count("/") == 1:
        return Reviews
    kind = kind_of_path(rel)[1]
    return kind.model if kind else None


def label(model: type[Record] | None, path: KeyPath) -> str:
    """`活动图片「p1.jpg」·图片命名` — the path in the words of the form."""
    return fieldtable.label(model.__name__ if model else None, path)
