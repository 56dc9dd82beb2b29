"""Errors that carry a Chinese sentence meant for the person at the keyboard."""


class LlweekError(Exception):
    """An expected failure; `str(err)` is shown to the user as is."""


class InvalidId(LlweekError):
    """A unit or record id that must never become a path."""


class RepoNotFound(LlweekError):
    """The folder is not an llweek data repository."""


class PermissionDenied(LlweekError):
    """The user's role does not allow this change."""


class StaleRecord(LlweekError):
    """The file changed on disk since it was opened; the save would overwrite someone's work."""

    def __init__(self, message: str, path: str, current_text: str | None) -> None:
        super().__init__(message)
        self.path = path
        self.current_text = current_text


class RepoBusy(LlweekError):
    """Another llweek process holds the repository lock."""


class IdentityMissing(LlweekError):
    """Git has no user.name / user.email for this clone."""


class GitFailed(LlweekError):
    """A git command failed; the message names the command and git's own words."""


class PushRefused(LlweekError):
    """The server answered a push with no (its hook, or its access rules): retrying cannot help.

    The local commits are all kept; datastore.setaside offers the way out."""
