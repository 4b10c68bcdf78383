"""Errors a member can cause. They come back as a clear, polite, ephemeral message; nothing is recorded."""

from __future__ import annotations

__all__ = ["FormErrors", "UserError"]


class UserError(Exception):
    """Something the member can fix. ``message`` is already translated into the community's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class FormErrors(UserError):
    """Invalid form values: ``errors`` maps field names to translated messages, shown next to each field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("\n".join(errors.values()))
        self.errors = errors
