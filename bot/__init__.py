"""Agora's platform-neutral core: features, router, scheduler, config, i18n and the CLI."""

from __future__ import annotations

__version__ = "0.1.0"
