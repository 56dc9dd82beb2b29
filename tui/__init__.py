"""The llweek terminal app and command line (Textual is imported only by the app itself)."""
