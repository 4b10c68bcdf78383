"""``agora demo``: the console community, interactive or replaying a script. No token, no network."""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from adapters.console.community import ConsoleCommunity, ScriptError
from bot.config import Config, parse_config
from bot.web import Dashboard

__all__ = ["demo_config", "run_demo"]

GUIDE = """\
Welcome to the Agora demo: a console community with simulated members and a simulated clock.
camille animates it; anyone else you name is a member. Type lines like these:

  alice joins                           a newcomer arrives (the bot writes to her privately)
  alice presses "I accept the charter"  press a button alice can see (by label or action)
  alice: /agora charter                 run a command as alice (/agora help lists them)
  camille: /agora setup locale=fr       animators change the settings
  wait 2d                               let two simulated days pass
  restart                               stop and start the bot on the same database
  quit

DMs show as “✉ DM to NAME”, channel posts as “#channel”, answers only one member sees as “👁 only NAME sees”.
"""


def demo_config(locale: str, database_url: str) -> Config:
    """The demo community's configuration, in ``locale``."""
    # Familiar French (fr-tu) is the same French community: only the bot's register changes.
    french = locale.startswith("fr")
    data = yaml.safe_load((Path(__file__).with_name("demo_community.yaml")).read_text(encoding="utf-8"))[
        "fr" if french else "en"
    ]
    return parse_config(
        {
            "database": {"url": database_url},
            "health": {"enabled": False},
            "logging": {"level": "WARNING", "format": "text"},
            "community": {
                "name": data["name"],
                "locale": locale,
                "timezone": "Europe/Paris",
                "member_role": "membre" if french else "member",
                "channels": {
                    "welcome": "accueil" if french else "welcome",
                    "announcements": "general",
                },
                "charter_reminder_after": "2d",
                "charter": data["charter"],
            },
        },
        "demo",
        env={},
    )


async def run_demo(
    config: Config | None = None,
    *,
    script: Path | None = None,
    locale: str = "en",
    animators: list[str] | None = None,
    database_url: str | None = None,
    out: Callable[[str], None] | None = None,
    read_line: Callable[[], str] | None = None,
) -> int:
    """Run the demo; returns the process exit code (0, or 2 when a script line can't be played)."""
    out = out or (lambda line: print(line, flush=True))
    tmp: Any = None
    if database_url is None:
        tmp = tempfile.TemporaryDirectory(prefix="agora-demo-")
        database_url = f"sqlite+aiosqlite:///{Path(tmp.name) / 'demo.db'}"
    if config is None:
        config = demo_config(locale, database_url)
    else:
        config = config.model_copy(
            update={"database": config.database.model_copy(update={"url": database_url})}
        )
    community = ConsoleCommunity(config, animators=animators or ["camille"], out=out)
    dashboard: Dashboard | None = None
    try:
        await community.start()
        if config.web.enabled and community.app is not None:
            # With a config whose web section is on, /agora dashboard's link opens this demo's dashboard.
            dashboard = Dashboard(community.app, config.web)
            port = await dashboard.start()
            out(f"Dashboard: http://{config.web.host}:{port} (sign in with /agora dashboard)")
        if script is not None:
            try:
                text = await asyncio.to_thread(script.read_text, encoding="utf-8")
                await community.run_script(text.splitlines(), script.parent)
            except ScriptError as exc:
                print(f"{script}: {exc}", file=sys.stderr)
                return 2
            return 0
        out(GUIDE)
        return await _interactive(community, out, read_line or input)
    finally:
        if dashboard is not None:
            await dashboard.stop()
        await community.stop()
        if tmp is not None:
            tmp.cleanup()


async def _interactive(
    community: ConsoleCommunity, out: Callable[[str], None], read_line: Callable[..., str]
) -> int:
    loop = asyncio.get_running_loop()
    while True:
        try:
            line = await loop.run_in_executor(None, read_line, "agora> ")
        except (EOFError, KeyboardInterrupt):
            out("")
            return 0
        if line.strip().lower() in ("quit", "exit", "q"):
            return 0
        if line.strip().lower() in ("help", "?"):
            out(GUIDE)
            continue
        try:
            await community.execute(line)
        except ScriptError as exc:
            out(f"  ⚠ {exc}")
