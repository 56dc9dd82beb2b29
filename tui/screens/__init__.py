"""One module per screen of the app; `deliverable_screen` opens a deliverable's editor."""

from __future__ import annotations

from textual.screen import Screen


def deliverable_screen(key: str, unit_id: str) -> Screen:
    """The screen where a unit works on deliverable `key` (a list, or the record's form)."""
    from tui.screens.activities import ActivitiesScreen
    from tui.screens.advanced_people import AdvancedPeopleScreen
    from tui.screens.advanced_units import AdvancedUnitsScreen
    from tui.screens.cases import CasesScreen
    from tui.screens.exhibition import ExhibitionScreen
    from tui.screens.summary import SummaryScreen
    from tui.screens.work_plan import WorkPlanScreen

    screens: dict[str, type[Screen]] = {
        "work_plan": WorkPlanScreen,
        "activities": ActivitiesScreen,
        "exhibition": ExhibitionScreen,
        "advanced_units": AdvancedUnitsScreen,
        "advanced_people": AdvancedPeopleScreen,
        "summary": SummaryScreen,
        "cases": CasesScreen,
    }
    return screens[key](unit_id)
