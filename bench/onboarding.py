"""What do introductions (with suggested contacts) and directory searches cost as a community grows?

    python bench/onboarding.py [--sizes 100,1000,5000] [--repeat 30]

For each community size N (members who introduced themselves, with tags, offers and needs drawn from a
vocabulary), prints the time per event of: (a) the baseline, ``/agora help`` (a handled command that reads no
profile); (b) a newcomer's introduction (the form submitted: profile saved, the N candidates scored, the post
queued); (c) ``/agora members design`` (search and first page, in SQL); (d) ``/agora members`` on the last page.
Ratios are against (a), run in the same process on the same SQLite file. It also prints the pure matching cost
(``suggest`` over N candidates, no database) per candidate.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select

from adapters.console import ConsoleCommunity
from bot.features.onboarding.matching import Candidate, normalize, prepare, split_tags, suggest
from storage.models import Acknowledgement, Charter, Community, Member
from storage.tables.profiles import Profile
from tests.support import make_config

TAGS = (
    "design écologie vélo photo python javascript marketing seo comptabilité juridique rédaction illustration "
    "ux ui data ia formation coaching mentorat podcast vidéo 3d architecture urbanisme cuisine jardinage musique "
    "théâtre lecture randonnée entrepreneuriat freelance levée-de-fonds impact associatif santé éducation"
).split()
WORDS = (
    "clients partenaires conseils mentor relecture site web logo identité visuelle financement stratégie réseau "
    "développeur designer photographe juriste comptable formateur traducteur local bureau coworking"
).split()


def profile_values(rng: random.Random) -> dict[str, str]:
    return {
        "interests": ", ".join(rng.sample(TAGS, 4)),
        "offers": " ".join(rng.sample(WORDS, 5)),
        "needs": " ".join(rng.sample(WORDS, 4)),
    }


async def populate(h: ConsoleCommunity, size: int, rng: random.Random) -> None:
    """``size`` members who accepted the charter and introduced themselves, written straight to the database."""
    assert h.database is not None
    now = datetime.now(UTC)
    async with h.database.transaction() as session:
        community = await session.scalar(select(Community))
        charter = await session.scalar(select(Charter))
        assert community is not None and charter is not None
        for i in range(size):
            member = Member(
                community_id=community.id, external_id=f"m{i}", display_name=f"Member {i}", joined_at=now
            )
            session.add(member)
            await session.flush()
            values = profile_values(rng)
            interests = split_tags(values["interests"])
            session.add(
                Acknowledgement(
                    community_id=community.id, member_id=member.id, charter_id=charter.id, accepted_at=now
                )
            )
            session.add(
                Profile(
                    community_id=community.id,
                    member_id=member.id,
                    name=f"Member {i}",
                    what="Freelance",
                    interests=interests,
                    offers=values["offers"],
                    needs=values["needs"],
                    search_text=normalize(
                        f"Member {i} freelance {', '.join(interests)} {values['offers']} {values['needs']}"
                    ),
                    sort_name=f"member {i:06d}",
                    match_keys=prepare(interests, values["offers"], values["needs"]),
                    introduced_at=now,
                    updated_at=now,
                )
            )


async def timed(repeat: int, action: Callable[[int], Awaitable[None]]) -> float:
    started = time.perf_counter()
    for i in range(repeat):
        await action(i)
    return (time.perf_counter() - started) / repeat


async def measure(size: int, repeat: int) -> None:
    rng = random.Random(size)
    with tempfile.TemporaryDirectory() as tmp:
        h = ConsoleCommunity(
            make_config(
                "en",
                f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}",
                channels={"welcome": "welcome", "introductions": "introductions"},
                onboarding={"nudge_after": "off", "digest_cron": "off"},
            )
        )
        await h.start()
        await h.join("warmup")
        await h.command("warmup", "help")
        await populate(h, size, rng)

        async def help_(i: int) -> None:
            await h.command("reader", "help")

        for i in range(repeat):  # newcomers who accepted the charter, ready to introduce themselves
            await h.join(f"newcomer-{i}")
            await h.press(f"newcomer-{i}", "I accept the charter")

        async def introduction(i: int) -> None:
            await h.submit(f"newcomer-{i}", "intro", {"what": "Designer", **profile_values(rng)})

        async def search(i: int) -> None:
            await h.command("reader", "members design")

        async def last_page(i: int) -> None:
            await h.command("reader", "members")

        baseline = await timed(repeat, help_)
        intro = await timed(repeat, introduction)
        searching = await timed(repeat, search)
        listing = await timed(repeat, last_page)
        await h.stop()

    print(f"community of {size} introduced members ({repeat} runs each; ratio = time / baseline's)")
    for label, seconds in (
        ("baseline: /agora help", baseline),
        ("an introduction (suggestions among all)", intro),
        ("/agora members design (first page)", searching),
        ("/agora members (first page of all)", listing),
    ):
        print(f"  {label:42} {seconds * 1000:8.2f} ms   x{seconds / baseline:6.1f}")

    candidates = []
    for i in range(size):
        values = profile_values(rng)
        candidates.append(
            Candidate(
                f"m{i}",
                f"Member {i}",
                interests=split_tags(values["interests"]),
                offers=values["offers"],
                needs=values["needs"],
                rank=i,
                prepared=prepare(split_tags(values["interests"]), values["offers"], values["needs"]),
            )
        )
    newcomer = Candidate(
        "n", "Newcomer", interests=["design", "vélo"], offers="logo site web", needs="clients mentor"
    )
    started = time.perf_counter()
    for _ in range(repeat):
        suggest(newcomer, candidates, limit=3)
    per_candidate = (time.perf_counter() - started) / repeat / size
    print(f"  pure matching: {per_candidate * 1e6:.2f} µs per candidate ({size} candidates)")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,5000")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    for size in (int(s) for s in args.sizes.split(",")):
        asyncio.run(measure(size, args.repeat))


if __name__ == "__main__":
    main()
