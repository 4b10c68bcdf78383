"""How does the charter's governance scale with the size of the community?

    python bench/charter.py [--members 200 1000 5000]

For each size, a community whose members all accepted version 1 (inserted in bulk), on a SQLite file:
(a) the baseline, one committed transaction inserting one processed-delivery row; (b) an animator saving a new
version, which asks every member again (one request row and one direct message each, in one transaction), and
(c) the delivery of those messages by the outbox to the console platform; (d) ``/agora charter status`` and
(e) ``/agora charter export`` (the CSV of every acknowledgement); (f) the round's reminder and the end of its grace period, which
withdraws the member role of those who haven't accepted (half of them here); (g) one vote on an amendment (the tally is
counted in SQL, so its cost must not grow with the votes). Ratios are against (a) in the same process, since
absolute times drift on shared machines; "per member" divides by the community's size.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select

from adapters.console import ConsoleCommunity
from bot.events import ButtonPressed, FormSubmitted
from storage.models import Acknowledgement, Charter, Community, Member, ProcessedDelivery
from storage.tables.charter import Amendment, AmendmentVote
from tests.support import make_config


async def populate(h: ConsoleCommunity, size: int) -> None:
    """``size`` members who accepted version 1, inserted in bulk (the join path is measured by dispatch.py)."""
    assert h.database is not None
    now = datetime.now(UTC)
    async with h.database.transaction() as session:
        community = await session.scalar(select(Community))
        charter = await session.scalar(select(Charter))
        assert community is not None and charter is not None
        await session.execute(
            insert(Member),
            [
                {
                    "community_id": community.id,
                    "external_id": f"m{i}",
                    "display_name": f"Member {i}",
                    "joined_at": now,
                }
                for i in range(size)
            ],
        )
        ids = (await session.scalars(select(Member.id).where(Member.community_id == community.id))).all()
        await session.execute(
            insert(Acknowledgement),
            [
                {"community_id": community.id, "member_id": i, "charter_id": charter.id, "accepted_at": now}
                for i in ids
            ],
        )


async def timed(coro: object) -> float:
    started = time.perf_counter()
    await coro  # type: ignore[misc]
    return time.perf_counter() - started


async def measure(size: int) -> list[tuple[str, float]]:
    with tempfile.TemporaryDirectory() as tmp:
        config = make_config(
            "en", f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}", charter_rules={"mode": "animator"}
        )
        h = ConsoleCommunity(config, animators={"camille"})
        await h.start()
        assert h.database is not None and h.app is not None
        await h.command("camille", "charter")  # the community and camille exist
        await populate(h, size)

        rounds = 50
        started = time.perf_counter()
        for i in range(rounds):
            async with h.database.transaction() as session:
                session.add(
                    ProcessedDelivery(community_id=1, delivery_id=f"base-{i}", processed_at=datetime.now(UTC))
                )
        baseline = (time.perf_counter() - started) / rounds

        # (b) the new version, dispatched alone (the outbox is not attached during it), then (c) its delivery.
        chat = h.app.chats.pop("console")
        event = FormSubmitted(
            community=h.ref,
            actor=h.member("camille"),
            form="charter:edit",
            ref="1",
            values={"objective": "A new objective.", "note": "Benchmark."},
            delivery_id="bench-edit",
        )
        adopt = await timed(h.app.dispatch(event))
        h.app.attach(chat)
        deliver = await timed(h.app.settle())
        status = await timed(h.command("camille", "charter status"))
        export = await timed(h.command("camille", "charter export"))

        # Half the community accepts version 2 (in bulk), then the grace period ends.
        async with h.database.transaction() as session:
            v2 = await session.scalar(select(Charter).where(Charter.version == 2))
            assert v2 is not None
            half = (await session.scalars(select(Member.id).where(Member.external_id.like("m%")))).all()[::2]
            await session.execute(
                insert(Acknowledgement),
                [
                    {"community_id": 1, "member_id": i, "charter_id": v2.id, "accepted_at": datetime.now(UTC)}
                    for i in half
                ],
            )
        grace = await timed(h.advance(days=15))

        # (g) a vote on an amendment once many members voted: switch to community mode, propose, vote in bulk.
        await h.command("camille", "charter rules mode=community")
        await h.command("camille", "charter")
        async with h.database.transaction() as session:
            camille = await session.scalar(select(Member).where(Member.external_id == "camille"))
            assert camille is not None
            session.add(
                Acknowledgement(
                    community_id=1, member_id=camille.id, charter_id=v2.id, accepted_at=datetime.now(UTC)
                )
            )
        await h.submit(
            "camille", "charter:propose:objective", {"text": "Another objective.", "reason": "Bench."}
        )
        async with h.database.transaction() as session:
            amendment = await session.scalar(select(Amendment))
            assert amendment is not None
            await session.execute(
                insert(AmendmentVote),
                [
                    {
                        "community_id": 1,
                        "amendment_id": amendment.id,
                        "member_id": i,
                        "choice": "for",
                        "voted_at": datetime.now(UTC),
                    }
                    for i in half
                ],
            )
        button, _message = h.find_button("camille", "For")
        chat = h.app.chats.pop("console")
        press = ButtonPressed(
            community=h.ref,
            actor=h.member("camille"),
            action=button.action,
            ref=button.ref,
            delivery_id="bench-vote",
        )
        vote = await timed(h.app.dispatch(press))
        h.app.attach(chat)
        await h.app.settle()
        await h.stop()

    return [
        ("baseline: one committed transaction", baseline),
        ("new version: every member asked (dispatch)", adopt),
        ("  its direct messages delivered (outbox)", deliver),
        ("/agora charter status", status),
        ("/agora charter export (CSV)", export),
        ("reminder, then grace period end (half: role out)", grace),
        (f"one vote (dispatch), {len(half)} already cast", vote),
    ]


async def main(sizes: list[int]) -> None:
    print("charter governance on SQLite (ratio = time / one committed transaction; per member = time / size)")
    for size in sizes:
        figures = await measure(size)
        baseline = figures[0][1]
        print(f"\n{size} members")
        for name, seconds in figures:
            per_member = f"{seconds / size * 1e6:8.1f} µs/member" if name != figures[0][0] else ""
            print(f"  {name:46} {seconds * 1000:9.1f} ms   x{seconds / baseline:8.1f}   {per_member}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, nargs="+", default=[200, 1000, 5000])
    asyncio.run(main(parser.parse_args().members))
