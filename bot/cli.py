"""The ``agora`` command: ``run``, ``demo``, ``check-config``, ``db upgrade``, ``db downgrade``."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from bot import __version__
from bot.config import Config, ConfigError, load_config
from bot.i18n import LOCALES
from bot.logs import setup_logging
from bot.platforms import installed
from storage.problems import explain

__all__ = ["main"]

DEFAULT_CONFIG = "config.yaml"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="agora",
        description="Agora: the animator's co-pilot for professional communities "
        f"(platforms installed: {', '.join(installed()) or 'none'}).",
        epilog="Start with `agora demo` (no token needed). Docs: README.md.",
    )
    parser.add_argument("--version", action="version", version=f"agora {__version__}")
    parser.set_defaults(
        database_url=None
    )  # the database the command opens, once known (to name its problems)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser(
        "run",
        help="connect to the platforms in the config and serve the communities",
        description="Apply pending database migrations, connect the adapter of each platform under platforms: "
        "in the config, serve /healthz, and run until interrupted.",
    )
    run.add_argument(
        "--config", default=None, help=f"config file (default: $AGORA_CONFIG or ./{DEFAULT_CONFIG})"
    )

    demo = sub.add_parser(
        "demo",
        help="a local console community with simulated members and clock (no token needed)",
        description="Start an interactive console community; or replay a script and print the transcript.",
    )
    demo.add_argument("--script", type=Path, help="replay this script non-interactively (see examples/)")
    demo.add_argument(
        "--locale",
        choices=LOCALES,
        default=None,
        help="the community's language: fr, fr-tu (French saying « tu ») or en (default: en)",
    )
    demo.add_argument(
        "--animator",
        action="append",
        default=None,
        metavar="NAME",
        help="a member who animates (default: camille)",
    )
    demo.add_argument(
        "--db", default=None, help="keep the demo's data in this SQLite file (default: a temporary one)"
    )
    demo.add_argument(
        "--config", default=None, help="use this config's community instead of the built-in demo one"
    )

    check = sub.add_parser(
        "check-config",
        help="validate a config file and say what is wrong",
        description="Exit 0 if the file is valid (printing what each platform's adapter finds doubtful); "
        "otherwise name each bad key and the problem, and exit 1.",
    )
    check.add_argument("path", help="the YAML config file")

    db = sub.add_parser("db", help="database maintenance", description="Database maintenance.")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION")
    upgrade = db_sub.add_parser(
        "upgrade", help="apply pending migrations", description="Apply pending migrations."
    )
    downgrade = db_sub.add_parser(
        "downgrade",
        help="take the schema back to an older revision (back up first: dropped data is lost)",
        description="Undo the migrations applied after REVISION (`base`: every table), in one transaction. "
        "The data in the tables and columns they drop is lost: back up the database first. Use it to go back "
        "to an older version of Agora, before installing that version.",
    )
    downgrade.add_argument("revision", metavar="REVISION", help="the revision to go back to, e.g. 0900")
    for action in (upgrade, downgrade):
        action.add_argument(
            "--config", default=None, help=f"config file (default: $AGORA_CONFIG or ./{DEFAULT_CONFIG})"
        )
    return parser


def _config(path: str | None) -> Config:
    chosen = path or os.environ.get("AGORA_CONFIG") or DEFAULT_CONFIG
    return load_config(chosen)


def _fail(message: str) -> int:
    print(f"agora: {message}", file=sys.stderr)
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``agora`` console script."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return _command(parser, args)
    except ConfigError as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`agora demo --script x | head`): stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:
        # A database problem the operator can fix (a full disk, a read-only file, a schema from a newer Agora)
        # is one line saying what to do; anything else is a bug, and keeps its traceback.
        line = explain(exc, args.database_url) if args.database_url else None
        if line is None:
            raise
        return _fail(line)


def _command(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    if args.command == "run":
        config = _config(args.config)
        args.database_url = config.database.url
        setup_logging(config.logging.level, config.logging.format, config.logging.libraries)
        from bot.runtime import run

        asyncio.run(run(config))
        return 0
    if args.command == "demo":
        return _demo(args)
    if args.command == "check-config":
        config = load_config(args.path)
        print(
            f"{args.path} is valid: communities start in {config.community.locale}, {config.community.timezone}; "
            f"platforms: {', '.join(config.platforms) or 'none (only the demo will run)'}."
        )
        for warning in config.warnings():
            print(f"  warning: {warning}")
        return 0
    if args.command == "db" and args.db_command in ("upgrade", "downgrade"):
        config = _config(args.config)
        args.database_url = config.database.url
        asyncio.run(_migrate(config.database.url, args.db_command, getattr(args, "revision", None)))
        print("database is up to date" if args.db_command == "upgrade" else f"database is at {args.revision}")
        return 0
    if args.command == "db":
        parser._subparsers._group_actions[0].choices["db"].print_help()  # type: ignore[union-attr,index]
        return 2
    parser.print_help()
    return 0 if args.command is None else 2


async def _migrate(url: str, direction: str, revision: str | None) -> None:
    from bot.runtime import open_database
    from storage.database import Database
    from storage.migrate import downgrade

    if direction == "upgrade":
        await (await open_database(url)).close()
        return
    assert revision is not None
    database = Database(url)
    try:
        await downgrade(database.engine, revision)
    finally:
        await database.close()


def _demo(args: argparse.Namespace) -> int:
    from bot.platforms import load_adapter

    setup_logging("WARNING", "text")
    run_demo = load_adapter("console", group="agora.demo", attr="run_demo")
    if args.script is not None and not args.script.exists():
        return _fail(f"{args.script}: no such script")
    config = load_config(args.config) if args.config else None
    locale = args.locale or (config.community.locale if config else "en")
    database_url = f"sqlite+aiosqlite:///{Path(args.db).resolve()}" if args.db else None
    args.database_url = database_url
    code: int = asyncio.run(
        run_demo(
            config, script=args.script, locale=locale, animators=args.animator, database_url=database_url
        )
    )
    return code


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
