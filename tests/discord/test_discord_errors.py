"""Discord's errors in the core's words: what the outbox retries, what it gives up on, what it falls back from."""

from __future__ import annotations

from types import SimpleNamespace

import aiohttp
import discord
import pytest

from adapters.discord.chat import platform_errors
from bot.chat import (
    DirectMessagesClosed,
    MissingPermission,
    PermanentChatError,
    TransientChatError,
)


def http_error(kind: type[discord.HTTPException], status: int, code: int = 0) -> discord.HTTPException:
    response = SimpleNamespace(status=status, reason="reason", headers={"Retry-After": "3"})
    return kind(response, {"code": code, "message": "what Discord said"})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (http_error(discord.Forbidden, 403, 50007), DirectMessagesClosed),
        (http_error(discord.Forbidden, 403, 50013), MissingPermission),
        (http_error(discord.Forbidden, 403, 50001), MissingPermission),
        (http_error(discord.NotFound, 404, 10003), PermanentChatError),
        (http_error(discord.HTTPException, 400, 50035), PermanentChatError),
        (http_error(discord.HTTPException, 429), TransientChatError),
        (http_error(discord.DiscordServerError, 503), TransientChatError),
        (discord.RateLimited(42.0), TransientChatError),
        (aiohttp.ClientConnectionError("reset"), TransientChatError),
        (TimeoutError(), TransientChatError),
    ],
)
def test_platform_errors_map_to_the_cores_kinds(error: Exception, expected: type[Exception]) -> None:
    with pytest.raises(expected) as caught, platform_errors("send"):
        raise error
    assert type(caught.value) is expected
    if isinstance(error, discord.RateLimited):
        assert caught.value.retry_after == 42.0  # type: ignore[attr-defined]
    elif expected is TransientChatError and isinstance(error, discord.HTTPException):
        assert caught.value.retry_after == 3.0  # type: ignore[attr-defined]
