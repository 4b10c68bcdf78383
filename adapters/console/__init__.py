"""The console community: a local, in-terminal community with simulated members and a simulated clock.

It runs the whole core with no token: ``agora demo`` is its interactive face, ``agora demo --script`` replays a
script, and the tests drive it through the same ``ConsoleCommunity``.
"""

from __future__ import annotations

from adapters.console.chat import ConsoleChat, Sent
from adapters.console.community import ConsoleCommunity, ScriptError

__all__ = ["ConsoleChat", "ConsoleCommunity", "ScriptError", "Sent"]
