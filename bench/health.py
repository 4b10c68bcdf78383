"""How long does the health report take for a large community?

    python bench/health.py [--members 10000] [--events 50000] [--repeat 5]

Seeds a console community with N members (joined over the past year) and E events spread over the last 180
days across the features' tables (charter acceptances, introductions, round places and "we met" answers,
meeting RSVPs and mission cards, debate positions, icebreaker reactions, date-poll answers), then prints the
median time of: (a) the baseline, ``/agora help`` through the core; (b) the 90-day report itself
(``health_report``: every query, the previous period too); (c) its chart (``charts.report_png``); (d) the whole
``/agora health`` command (report, chart and message). Ratios are against (a), in the same process on the same
SQLite file. The issue's target: (b) under 1 s for 10,000 members and 50,000 events. (b) also gives the CPU time
the process spent on it, which a machine with busy shared cores does not inflate as it does the wall time.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select

from adapters.console import ConsoleCommunity
from bot.features.health import charts, health_report
from bot.i18n import translator
from storage.models import Acknowledgement, Charter, Community, Member, RoundAnswer, RsvpStatus
from storage.tables.debates import Debate, DebateStance
from storage.tables.icebreakers import IcebreakerAsked, IcebreakerReaction
from storage.tables.meetings import Meeting, MeetingPoll, MissionDraw, PollAnswer, PollOption, Rsvp
from storage.tables.profiles import Profile
from storage.tables.rounds import Round, RoundGroup, RoundGroupMember
from tests.support import make_config


async def timed(action: Callable[[], Awaitable[Any]], repeat: int) -> float:
    """The median time of ``action``, in milliseconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        await action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


async def _ids(session: Any, model: Any, community_id: int) -> list[int]:
    return list(await session.scalars(select(model.id).where(model.community_id == community_id)))


async def seed(h: ConsoleCommunity, members: int, events: int, now: datetime) -> int:
    """N members and about E events in the community's tables; returns the community's id."""
    rng = random.Random(13)
    assert h.database is not None

    def ago(days: float) -> datetime:
        return now - timedelta(days=days)

    async with h.database.transaction() as session:
        community = await session.scalar(select(Community))
        assert community is not None
        cid = community.id
        charter = await session.scalar(select(Charter.id).where(Charter.community_id == cid))
        member_rows = [
            {
                "community_id": cid,
                "external_id": f"m{n:05d}",
                "display_name": f"Member {n}",
                "joined_at": ago(rng.uniform(0, 365)),
            }
            for n in range(members)
        ]
        await session.execute(insert(Member), member_rows)
        ids = await _ids(session, Member, cid)
        share = events // 10

        accepted = rng.sample(ids, min(len(ids), share * 2))
        await session.execute(
            insert(Acknowledgement),
            [
                {
                    "community_id": cid,
                    "member_id": m,
                    "charter_id": charter,
                    "accepted_at": ago(rng.uniform(0, 180)),
                }
                for m in accepted
            ],
        )
        introduced = accepted[:share]
        await session.execute(
            insert(Profile),
            [
                {
                    "community_id": cid,
                    "member_id": m,
                    "introduced_at": (t := ago(rng.uniform(0, 180))),
                    "updated_at": t,
                }
                for m in introduced
            ],
        )

        # Rounds: every fortnight, groups of 4 among the introduced; half of the places say "we met".
        places = []
        for number in range(12):
            started = ago(180 - number * 15)
            played = Round(community_id=cid, number=number + 1, started_at=started, group_size=4)
            session.add(played)
            await session.flush()
            chosen = rng.sample(introduced, min(len(introduced), share * 2 // 12))
            for position in range(0, len(chosen), 4):
                group = RoundGroup(community_id=cid, round_id=played.id, position=position // 4)
                session.add(group)
                await session.flush()
                for member in chosen[position : position + 4]:
                    met = rng.random() < 0.5
                    places.append(
                        {
                            "community_id": cid,
                            "round_id": played.id,
                            "group_id": group.id,
                            "member_id": member,
                            "answer": RoundAnswer.MET if met else None,
                            "answered_at": started + timedelta(days=3) if met else None,
                        }
                    )
        await session.execute(insert(RoundGroupMember), places)

        # Meetings every fortnight, with RSVPs and a few mission cards.
        rsvps, draws = [], []
        for number in range(12):
            ended = ago(175 - number * 15)
            meeting = Meeting(
                community_id=cid,
                title=f"Meeting {number}",
                starts_at=ended - timedelta(hours=2),
                ends_at=ended,
                ended_at=ended,
                created_by="camille",
                created_at=ended - timedelta(days=14),
            )
            session.add(meeting)
            await session.flush()
            going = rng.sample(accepted, min(len(accepted), share // 12))
            rsvps += [
                {
                    "community_id": cid,
                    "meeting_id": meeting.id,
                    "member_id": m,
                    "status": RsvpStatus.GOING,
                    "updated_at": ended - timedelta(days=3),
                }
                for m in going
            ]
            draws += [
                {
                    "community_id": cid,
                    "meeting_id": meeting.id,
                    "member_id": m,
                    "card_id": "notes",
                    "drawn_at": ended,
                }
                for m in going[:10]
            ]
        await session.execute(insert(Rsvp), rsvps)
        await session.execute(insert(MissionDraw), draws)

        # Debates, each with positions; a fifth of the minds change.
        stances = []
        for number in range(12):
            opened = ago(170 - number * 15)
            debate = Debate(
                community_id=cid,
                number=number + 1,
                motion="M",
                channel="debates",
                opened_at=opened,
                closes_at=opened + timedelta(days=7),
            )
            session.add(debate)
            await session.flush()
            for m in rng.sample(ids, min(len(ids), share * 2 // 12)):
                first = rng.randrange(3)
                stances.append(
                    {
                        "community_id": cid,
                        "debate_id": debate.id,
                        "member_id": m,
                        "first_position": first,
                        "position": first if rng.random() < 0.8 else (first + 1) % 3,
                        "taken_at": opened + timedelta(hours=5),
                        "changed_at": opened + timedelta(hours=5),
                    }
                )
        await session.execute(insert(DebateStance), stances)

        # Icebreaker questions answered by reaction, and date polls answered.
        reactions = []
        for number in range(24):
            asked = IcebreakerAsked(
                community_id=cid, question_key=f"bank:{number}", text="?", asked_at=ago(180 - number * 7)
            )
            session.add(asked)
            await session.flush()
            reactions += [
                {
                    "community_id": cid,
                    "asked_id": asked.id,
                    "member_id": m,
                    "emoji": "👍",
                    "reacted_at": asked.asked_at + timedelta(hours=2),
                }
                for m in rng.sample(ids, min(len(ids), share * 2 // 24))
            ]
        await session.execute(insert(IcebreakerReaction), reactions)
        answers = []
        for number in range(6):
            created = ago(170 - number * 30)
            poll = MeetingPoll(
                community_id=cid,
                title="When?",
                created_by="camille",
                created_at=created,
                closes_at=created + timedelta(days=3),
            )
            session.add(poll)
            await session.flush()
            option = PollOption(
                community_id=cid, poll_id=poll.id, position=1, starts_at=created + timedelta(days=10)
            )
            session.add(option)
            await session.flush()
            answers += [
                {
                    "community_id": cid,
                    "poll_id": poll.id,
                    "option_id": option.id,
                    "member_id": m,
                    "choice": "yes",
                    "answered_at": created + timedelta(hours=3),
                }
                for m in rng.sample(ids, min(len(ids), share // 6))
            ]
        await session.execute(insert(PollAnswer), answers)
        total = (
            len(accepted)
            + len(introduced)
            + len(places)
            + len(rsvps)
            + len(draws)
            + len(stances)
            + len(reactions)
            + len(answers)
        )
    print(f"seeded {members} members and {total} events")
    return cid


async def measure(members: int, events: int, repeat: int, folder: Path) -> None:
    config = make_config("en", f"sqlite+aiosqlite:///{folder / 'health.db'}")
    h = ConsoleCommunity(config, animators={"camille"})
    await h.start()
    try:
        await h.join("camille")
        now = h.clock.now()
        cid = await seed(h, members, events, now)
        await h.command("camille", "help")  # warm up: the first event of a process pays for its imports
        baseline = await timed(lambda: h.command("camille", "help"), repeat)
        assert h.database is not None
        database = h.database

        async def report() -> Any:
            async with database.transaction() as session:
                return await health_report(session, cid, now, timedelta(days=90))

        made = await report()  # and warms up the features' imports
        took = await timed(report, repeat)
        # The CPU the process spent on one report (every thread: SQLite works in aiosqlite's): on a machine whose
        # cores are shared, the wall time above also counts the waits for a core; this does not.
        cpu_started = time.process_time()
        for _ in range(repeat):
            await report()
        cpu = (time.process_time() - cpu_started) * 1000 / repeat
        english = translator("en")

        async def chart() -> None:
            charts.report_png(made, english, "Europe/Paris")

        drawn = await timed(chart, repeat)
        command = await timed(lambda: h.command("camille", "health"), repeat)
    finally:
        await h.stop()
    verdict = "under" if took < 1000 else "OVER"
    print(
        f"N={members} E={events}  help {baseline:7.1f} ms | report (90 days) {took:7.1f} ms "
        f"({took / baseline:5.1f}×, {verdict} the 1 s target; CPU {cpu:6.1f} ms) | chart {drawn:7.1f} ms ({drawn / baseline:5.1f}×) | "
        f"/agora health {command:7.1f} ms ({command / baseline:5.1f}×)"
    )
    print(
        f"  funnel {[s.count for s in made.funnel]}, active {made.active.now}, at risk {len(made.at_risk)}, "
        f"round rate {made.rounds.rate}"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        await measure(args.members, args.events, args.repeat, Path(folder))


if __name__ == "__main__":
    asyncio.run(main())
