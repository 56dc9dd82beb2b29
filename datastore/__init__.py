"""The data layer of llweek: records, rules, files and Git, free of any UI."""

from datastore.errors import LlweekError

__all__ = ["LlweekError"]
