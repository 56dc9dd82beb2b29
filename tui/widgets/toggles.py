"""Check boxes and radio buttons whose mark reads without colour: [X] / [ ] and (●) / ( ).

Textual draws the same mark for on and off and tells them apart by colour only, which a
16-colour or monochrome terminal over SSH loses.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Checkbox, RadioButton


class Tick(Checkbox):
    @property
    def _button(self) -> Content:
        return Content.styled("[X]" if self.value else "[ ]", "bold" if self.value else "")


class Option(RadioButton):
    @property
    def _button(self) -> Content:
        return Content.styled("(●)" if self.value else "( )", "bold" if self.value else "")
