"""The dashboard on Slack (the real slack-bolt against the loopback Slack fake): every request asks Slack, through
the adapter's directory, whether the animator still animates. Taken out of the animators' user group, no longer a
workspace admin, or deactivated, they are refused at the next request: Slack tells of each change
(``subteam_members_changed``, ``user_change``), and what the directory keeps is read again within a minute
anyway."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from bot.config import WebConfig
from bot.features.dashboard import DashboardFeature
from bot.web import Dashboard
from tests.fakes.fake_slack import FakeSlack
from tests.slack.support import BOB, CAMILLE, TIMEOUT, WELCOME, BedFactory, SlackBed
from tests.web.support import LINK, PUBLIC_URL, Browser

MODERATORS = "S0MODS0001"  # the animators' user group: bob is in it


@contextlib.asynccontextmanager
async def running(bed: BedFactory) -> AsyncIterator[tuple[SlackBed, Browser]]:
    """The bot with the dashboard on, served, and a browser."""
    web = WebConfig(enabled=True, host="127.0.0.1", port=0, public_url=PUBLIC_URL)
    async with bed("http", features=[DashboardFeature()], web=web) as b:
        dashboard = Dashboard(b.app, web)
        await dashboard.start()
        browser = Browser(dashboard)
        try:
            yield b, browser
        finally:
            await browser.close()
            await dashboard.stop()


async def sign_in(b: SlackBed, fake: FakeSlack, browser: Browser, user: str) -> str:
    """``user`` runs /agora dashboard and opens the link they alone are answered with; returns the settings page,
    open."""
    since = len(fake.responses)
    await b.send(fake.slash_command(user, "dashboard", channel_id=WELCOME))
    answer = await fake.wait_for_response(timeout=TIMEOUT, since=since)
    found = LINK.search(str(answer.body))
    assert found, answer.body
    await browser.sign_in(found.group(1))
    settings = browser.path.rsplit("/", 1)[0] + "/settings"
    await browser.get(settings)
    assert browser.status == 200, browser.text
    return settings


async def test_an_animator_taken_out_of_the_user_group_is_refused(bed: BedFactory, fake: FakeSlack) -> None:
    async with running(bed) as (b, browser):
        settings = await sign_in(b, fake, browser, BOB)

        fake.usergroups[MODERATORS].users.remove(BOB)
        await b.send(
            fake.event_callback(
                {"type": "subteam_members_changed", "subteam_id": MODERATORS, "removed_users": [BOB]}
            )
        )
        await browser.get(settings)

        assert browser.status == 403
        assert "/agora dashboard" in browser.text


async def test_a_workspace_admin_who_is_no_longer_one_is_refused(bed: BedFactory, fake: FakeSlack) -> None:
    async with running(bed) as (b, browser):
        settings = await sign_in(b, fake, browser, CAMILLE)

        fake.users[CAMILLE].is_admin = False
        await b.send(fake.event_callback(fake.user_change_event(CAMILLE)))
        await browser.get(settings)

        assert browser.status == 403


async def test_a_deactivated_animator_is_refused(bed: BedFactory, fake: FakeSlack) -> None:
    async with running(bed) as (b, browser):
        settings = await sign_in(b, fake, browser, BOB)

        fake.users[BOB].deleted = True
        await b.send(fake.event_callback(fake.user_change_event(BOB)))
        await browser.get(settings)

        assert browser.status == 403


async def test_slack_is_asked_once_a_minute_at_most(bed: BedFactory, fake: FakeSlack) -> None:
    """Pages come quicker than Slack's rate limits allow users.info: the directory answers within the minute."""
    async with running(bed) as (b, browser):
        settings = await sign_in(b, fake, browser, BOB)
        asked = len(fake.calls_to("users.info"))

        for _ in range(5):
            await browser.get(settings)
            assert browser.status == 200

        assert len(fake.calls_to("users.info")) == asked
