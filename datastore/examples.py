"""Example values for placeholders and messages, taken from the campaign's own dates.

An example that someone types as it stands must be valid and break no rule: an activity's
dates fall in the showcase window, a unit's opening within a month of the province's, a
birth date makes a plausible age.
"""

from __future__ import annotations

import datetime as dt

from datastore.models import Activity, AdvancedPerson, Campaign, Record, WorkPlan

#: the age an example birth date gives (the rules accept 16 to 100)
EXAMPLE_AGE = 45


def example_date(campaign: Campaign, model: type[Record] | None, name: str) -> dt.date:
    """A date that the rules accept for field `name` of `model` in this campaign."""
    year = campaign.year or dt.date.today().year
    showcase = campaign.showcase_start
    if model is AdvancedPerson and name == "birth_date":
        return dt.date(year - EXAMPLE_AGE, 6, 15)
    if model is WorkPlan and name == "opening_date":
        return campaign.opening_date or showcase or dt.date(year, 11, 1)
    if model is Activity and showcase is not None:
        day = showcase + dt.timedelta(days=10 if name == "start" else 12)
        return min(day, campaign.showcase_end) if campaign.showcase_end else day
    return campaign.opening_date or showcase or dt.date(year, 10, 1)


def date_placeholder(day: dt.date) -> str:
    return f"年-月-日，如 {day.isoformat()}"
