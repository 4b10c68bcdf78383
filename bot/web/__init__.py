"""The animators' web dashboard: served by ``agora run`` (``web:`` in the config), signed in to with a one-time
link from ``/agora dashboard``.

``auth`` makes and checks the links, session cookies and CSRF tokens; ``framework`` declares a page (``Page``) and
what its handlers get (``View``: the community, its settings, the animator, the page's language, and the core's
own paths to act); ``server`` is the aiohttp application; ``pages/`` holds one module per page; ``templates/``
the Jinja2 templates (autoescaped) and ``static/`` the style sheet. See /work/shared-helpers/API-dashboard.md or
the README's "Dashboard" section.
"""

from __future__ import annotations

from bot.web.framework import Answer, Page, View, answers
from bot.web.server import Dashboard

__all__ = ["Answer", "Dashboard", "Page", "View", "answers"]
