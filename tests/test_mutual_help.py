"""Mutual help on the console: an ask, the members Agora asks and why, one accepts and one declines, the
conversation of the two, solved with thanks; a discreet ask posted nowhere; the weekly limit; the nudges;
bad input refused with the reason."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from sqlalchemy import select

from adapters.console import ConsoleCommunity
from bot.chat import PermanentChatError
from storage.tables.mutual_help import AskStatus, HelpAsk, HelpOffer, OfferStatus
from tests.support import ONBOARDING_CHANNELS, arrive, introduce, traces_in

CHANNELS = {**ONBOARDING_CHANNELS, "help": "help"}
LAWYER_NEED = "a lawyer who knows freelance contracts"


@pytest.fixture
async def m(make_harness: Callable[..., ConsoleCommunity]) -> AsyncIterator[ConsoleCommunity]:
    """A community with a help channel and four introduced members: two who know the law, an accountant, a
    designer; camille animates it."""
    h = make_harness("en", channels=CHANNELS, animators=["camille"])
    await h.start()
    await introduce(h, "carol", name="Carol", what="Avocate", offers="droit des contrats, freelances")
    await introduce(h, "bob", name="Bob", what="Developer", offers="contract reviews")
    await introduce(h, "dan", name="Dan", what="Comptable indépendant")
    await introduce(h, "eve", name="Eve", what="Designer", interests="design, vélo")
    await arrive(h, "alice")
    yield h
    await h.stop()


async def ask(h: ConsoleCommunity, who: str, need: str, **values: str):  # type: ignore[no-untyped-def]
    opened = await h.command(who, "ask")
    assert opened.form is not None and opened.form.id == "help:ask", opened
    return await h.submit(who, "help:ask", {"need": need, "visibility": "public", **values})


async def asks(h: ConsoleCommunity) -> list[HelpAsk]:
    assert h.app is not None
    async with h.app.database.transaction() as session:
        return list(await session.scalars(select(HelpAsk).order_by(HelpAsk.id)))


async def offers(h: ConsoleCommunity) -> dict[str, str]:
    assert h.app is not None
    from storage.models import Member

    async with h.app.database.transaction() as session:
        rows = await session.execute(
            select(Member.external_id, HelpOffer.status).join(Member, Member.id == HelpOffer.helper_id)
        )
        return {key: str(status) for key, status in rows.all()}


def requests_to(h: ConsoleCommunity, who: str) -> list[str]:
    return [s.text for s in h.chat.dms(who) if s.message and s.message.title == "Could you help?"]


async def test_ask_suggestions_with_reasons_one_accepts_one_declines_conversation_then_solved_with_thanks(
    m: ConsoleCommunity,
) -> None:
    done = await ask(m, "alice", LAWYER_NEED, details="I sign my first big client next week")
    assert done.error is None, done

    [post] = m.chat.posts("help")
    assert post.message is not None and post.message.title == "Can you help?"
    assert "<@alice> is looking for: a lawyer who knows freelance contracts" in post.text
    assert [b.label for b in post.message.buttons] == ["I can help", "I know someone"]

    # Carol (avocate, droit des contrats) and Bob (contract reviews) are asked, each told why; not the others.
    [to_carol] = requests_to(m, "carol")
    assert "offers: droit des contrats" in to_carol or "does: Avocate" in to_carol
    [to_bob] = requests_to(m, "bob")
    assert "offers: contract" in to_bob
    assert requests_to(m, "dan") == [] and requests_to(m, "eve") == []
    assert "I have asked 2 members who could help" in done.replies[0].text
    assert "carol" not in done.replies[0].text and "bob" not in done.replies[0].text

    await m.press("bob", "Not this time")
    assert [s for s in m.chat.sent if s.kind == "group"] == []
    assert not [s for s in m.chat.dms("alice") if "bob" in s.text]  # nobody is told of a "no"

    accepted = await m.press("carol", "Happy to help")
    [group] = [s for s in m.chat.sent if s.kind == "group"]
    assert group.visible_to == frozenset({"alice", "carol"})
    [intro] = m.chat.posts(group.to)
    assert intro.message is not None and intro.message.title == "A warm introduction"
    assert "<@alice>, meet <@carol>" in intro.text and "<@carol>, meet <@alice>" in intro.text
    assert accepted.replies[-1].text.startswith(
        "Thank you! I have opened a conversation for you and <@alice>"
    )
    assert await offers(m) == {"carol": "accepted", "bob": "declined"}

    solved = await m.press("alice", "Solved")
    assert solved.form is not None and solved.form.fields[0].default == "@carol"
    closed = await m.submit(
        "alice", "help:solved", {"helper": "@carol", "thanks": "Merci pour tout !"}, ref=solved.form.ref
    )
    assert closed.error is None, closed
    thanks = m.chat.posts("help")[-1]
    assert thanks.message is not None and thanks.message.title == "Thank you!"
    assert "<@alice> thanks <@carol>" in thanks.text and "Merci pour tout !" in thanks.text
    [ask_row] = await asks(m)
    assert ask_row.status == AskStatus.SOLVED

    # Carol would rather not be named: the post loses her name.
    await m.press("carol", "Don't name me")
    assert "<@carol>" not in m.chat.current[thanks.ref.id].plain()  # type: ignore[union-attr]


async def test_a_discreet_ask_is_posted_nowhere(m: ConsoleCommunity) -> None:
    done = await ask(m, "alice", LAWYER_NEED, visibility="discreet")
    assert done.error is None and "posted nowhere" in done.replies[0].text
    await m.press("carol", "Happy to help")
    await m.advance(days=20)
    for sent in m.chat.sent:
        if sent.kind == "post" and not sent.to.startswith("group-"):
            assert "lawyer" not in sent.text, sent
    assert requests_to(m, "carol") and "discreet ask" in requests_to(m, "carol")[0]
    # Others don't see it in the list; the asker and those asked do.
    listed = await m.command("eve", "asks")
    assert "lawyer" not in listed.replies[0].text
    listed = await m.command("carol", "asks")
    assert "lawyer" in listed.replies[0].text


async def test_nobody_is_asked_more_than_once_a_week_and_a_member_can_pause(m: ConsoleCommunity) -> None:
    await ask(m, "alice", LAWYER_NEED)
    await arrive(m, "fay")
    await ask(m, "fay", "help with my freelance contract")
    assert len(requests_to(m, "carol")) == 1 and len(requests_to(m, "bob")) == 1
    await m.advance(days=8)
    await m.command("bob", "asks pause")
    await ask(m, "fay", "a lawyer for a contract")
    assert len(requests_to(m, "carol")) == 2 and len(requests_to(m, "bob")) == 1


async def test_nobody_accepting_the_asker_is_told_kindly_then_asked_once_if_solved(
    m: ConsoleCommunity,
) -> None:
    await ask(m, "alice", "someone who knows beekeeping", visibility="discreet")
    await m.advance(days=3, hours=1)
    quiet = m.chat.dms("alice")[-1].message
    assert quiet is not None and quiet.title == "Nobody has said yes yet"
    assert [b.label for b in quiet.buttons] == ["Post it publicly", "Ask the animators", "Withdraw it"]
    await m.press("alice", "Ask the animators")
    assert "beekeeping" in m.chat.dms("camille")[-1].text
    await m.press("alice", "Post it publicly")
    assert "beekeeping" in m.chat.posts("help")[-1].text
    await m.advance(days=11)
    follow = m.chat.dms("alice")[-1].message
    assert follow is not None and follow.title == "Did you find help?"
    await m.press("alice", "Withdraw it")
    [row] = await asks(m)
    assert row.status == AskStatus.WITHDRAWN
    await m.advance(days=30)
    assert m.chat.dms("alice")[-1].message is not None
    assert m.chat.dms("alice")[-1].message.title == "Did you find help?"  # asked once


async def test_cross_language_matching_finds_the_accountant_and_the_mentor(m: ConsoleCommunity) -> None:
    await introduce(m, "gus", name="Gus", offers="mentoring for young freelancers")
    await ask(m, "alice", "de l'aide en comptabilité")
    assert requests_to(m, "dan")
    await arrive(m, "hal")
    await ask(m, "hal", "du mentorat")
    assert requests_to(m, "gus")


async def test_bad_input_is_refused_with_the_reason_and_nothing_recorded(m: ConsoleCommunity) -> None:
    empty = await ask(m, "alice", "  ")
    assert empty.form_errors is not None and "Say what you need" in empty.form_errors["need"]
    past = await ask(m, "alice", LAWYER_NEED, when="2020-01-01")
    assert past.form_errors is not None and "already past" in past.form_errors["when"]
    odd = await ask(m, "alice", LAWYER_NEED, visibility="maybe")
    assert odd.form_errors is not None and "neither public nor discreet" in odd.form_errors["visibility"]
    assert await asks(m) == [] and m.chat.posts("help") == []
    later = await ask(m, "alice", LAWYER_NEED, when="friday")
    assert later.error is None and (await asks(m))[0].by_when is not None


async def test_only_members_who_accepted_the_charter_may_ask(m: ConsoleCommunity) -> None:
    await m.join("zoe")
    refused = await m.command("zoe", "ask")
    assert refused.form is None and "accepted the charter" in refused.replies[0].text


async def test_a_public_ask_answered_with_i_can_help_and_i_know_someone(m: ConsoleCommunity) -> None:
    await ask(m, "alice", "someone who knows beekeeping")
    offered = await m.press("eve", "I can help")
    assert offered.error is None
    assert next(s for s in m.chat.sent if s.kind == "group").visible_to == frozenset({"alice", "eve"})
    knows = await m.press("dan", "I know someone")
    assert knows.form is not None
    named = await m.submit("dan", "help:refer", {"member": "@bob"}, ref=knows.form.ref)
    assert "I am asking <@bob>" in named.replies[0].text
    assert "<@dan> thought of you" in requests_to(m, "bob")[-1]
    assert (await offers(m))["bob"] == str(OfferStatus.ASKED)


async def test_a_conversation_that_cannot_open_is_never_announced_and_the_two_still_meet(
    m: ConsoleCommunity,
) -> None:
    await ask(m, "alice", LAWYER_NEED)
    m.chat.failures.append(PermanentChatError("no group conversations here"))
    accepted = await m.press("carol", "Happy to help")
    assert not any("I have opened a conversation" in r.text for r in accepted.replies)
    assert [s for s in m.chat.sent if s.kind == "group"] == []
    told = m.chat.dms("alice")[-1].text
    assert "<@carol> is happy to help" in told and "write to them directly" in told
    assert "write to them directly" in m.chat.dms("carol")[-1].text


async def test_a_member_who_refuses_dms_is_not_reached_and_a_discreet_ask_falls_back_nowhere(
    m: ConsoleCommunity,
) -> None:
    m.chat.closed_dms.add("carol")
    await ask(m, "alice", LAWYER_NEED, visibility="discreet")
    assert (await offers(m))["carol"] == str(OfferStatus.UNREACHABLE)
    assert not [s for s in m.chat.sent if s.kind == "post" and "lawyer" in s.text]


async def test_erasing_the_asker_deletes_the_ask_and_its_public_post(m: ConsoleCommunity) -> None:
    await ask(m, "alice", LAWYER_NEED)
    [post] = m.chat.posts("help")
    await m.command("alice", "privacy")
    await m.press("alice", "Erase my data")
    await m.press("alice", "Yes, erase my data")
    assert await asks(m) == []
    assert any(s.kind == "delete" and s.ref and post.ref and s.ref.id == post.ref.id for s in m.chat.sent)


async def test_erasing_the_helper_takes_her_name_out_of_the_thanks_and_the_asker_leaves_no_word(
    m: ConsoleCommunity,
) -> None:
    """Carol helped alice, who thanked her by name; carol erases her data: the thanks stays alice's, without
    carol. Then alice erases hers: her need and its details are nowhere, not even in the outbox's copies of the
    requests the helpers were sent."""
    await ask(m, "alice", LAWYER_NEED, details="My first client signs on the Zorglub contract")
    await m.press("carol", "Happy to help")
    solved = await m.press("alice", "Solved")
    assert solved.form is not None
    thanks = {"helper": "@carol", "thanks": "Carol saved my contract"}
    await m.submit("alice", "help:solved", thanks, ref=solved.form.ref)
    assert m.database is not None
    for who, words in (("carol", ["carol"]), ("alice", ["alice", LAWYER_NEED, "Zorglub"])):
        await m.command(who, "privacy")
        await m.press(who, "Erase my data")
        await m.press(who, "Yes, erase my data")
        assert await traces_in(m.database, words) == []
        if who == "carol":
            [row] = await asks(m)
            assert row.thanks == "… saved my contract"


async def test_by_when_is_read_in_the_askers_own_language(m: ConsoleCommunity) -> None:
    refused = await ask(m, "alice", LAWYER_NEED, when="03/04")  # English: the 3rd of April or March the 4th?
    assert refused.form_errors is not None and "when" in refused.form_errors
    m.locales["alice"] = "fr-FR"
    done = await ask(m, "alice", LAWYER_NEED, when="03/04", visibility="publique")
    assert done.error is None
    [row] = await asks(m)
    assert row.by_when is not None and (row.by_when.month, row.by_when.day) in ((4, 3), (4, 4))
