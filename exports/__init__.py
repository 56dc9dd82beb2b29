"""Official Excel layouts of the notice's annex tables, roll-ups and the unit package."""
