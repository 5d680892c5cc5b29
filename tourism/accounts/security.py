"""Password hashing (argon2 via pwdlib) and signed, expiring access tokens (PyJWT, HS256)."""

import asyncio
import contextlib
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import NamedTuple, TypeVar

import jwt
from pwdlib import PasswordHash

from tourism.config import Settings
from tourism.exceptions import NotAuthenticated
from tourism.languages import say
from tourism.schemas import MAX_ID

ALGORITHM = "HS256"
_hasher = PasswordHash.recommended()
# Verified against when the e-mail is unknown, so a wrong address takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a password anyone has")


# An argon2 hash or check is ~0.1 s of CPU. On the event loop, 8 clients logging in cut every
# other endpoint from 940 to 38 requests/s. argon2-cffi releases the GIL, so these threads hash
# while the loop serves; two of them, so a login flood queues here instead of taking every core.
# Each hash also runs its 4 lanes in threads of its own: at normal priority they crowd the
# loop's one thread out of a busy CPU (on 2 cores the health check's median went from 2 to
# 18 ms), so they run at a lower priority (2.7 ms): idle cores still hash at full speed, and a
# flood slows logins rather than everything else.
HASHING_NICENESS = 10


def _yield_to_the_loop() -> None:
    """Lower this thread's priority, and so that of the lane threads it starts (Linux)."""
    if sys.platform == "linux":  # where niceness is per thread, and threads inherit it
        # A sandbox may forbid it: then hash at normal priority, still off the loop.
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASHING_NICENESS)


_hashing = ThreadPoolExecutor(
    max_workers=2, thread_name_prefix="argon2", initializer=_yield_to_the_loop
)
T = TypeVar("T")


async def _off_the_loop(work: Callable[..., T], *args: str) -> T:
    return await asyncio.get_running_loop().run_in_executor(_hashing, work, *args)


async def hash_password(password: str) -> str:
    return await _off_the_loop(_hasher.hash, password)


async def verify_password(password: str, password_hash: str | None) -> bool:
    matches = await _off_the_loop(_hasher.verify, password, password_hash or _DUMMY_HASH)
    return matches and password_hash is not None


# Access tokens carry the account's `token_version` as `ver`; a password change or disabling the
# account moves the version, and every token naming an older one answers 401 at once. Tokens
# issued before the claim existed have none: they count as version 0, what every account had.
MAX_TOKEN_VERSION = 2**31 - 1  # users.token_version is an integer


class TokenClaims(NamedTuple):
    user_id: int
    version: int


def create_access_token(
    *, user_id: int, settings: Settings, now: datetime, version: int = 0
) -> tuple[str, int]:
    """A token naming the user and their token version, and its lifetime in seconds."""
    lifetime = timedelta(minutes=settings.access_token_minutes)
    claims = {"sub": str(user_id), "ver": version, "iat": now, "exp": now + lifetime}
    token = jwt.encode(claims, settings.secret_key.get_secret_value(), algorithm=ALGORITHM)
    return token, int(lifetime.total_seconds())


def _decode(token: str, settings: Settings) -> dict:
    """The claims of a token signed with the current key or, during a rotation, a previous one."""
    for key in settings.verification_keys:
        try:
            return jwt.decode(
                token, key, algorithms=[ALGORITHM], options={"require": ["exp", "sub"]}
            )
        except jwt.InvalidSignatureError:
            continue  # not this key's: an expired or malformed token fails whatever the key
    raise jwt.InvalidSignatureError("signed with none of the keys")


INVALID_TOKEN = say(
    "the access token is invalid or has expired",
    "mã truy cập không hợp lệ hoặc đã hết hạn",
)


def read_token(token: str, settings: Settings) -> TokenClaims:
    """The account and token version a valid token names; NotAuthenticated for any other."""
    try:
        claims = _decode(token, settings)
        user_id = int(claims["sub"])
    except (jwt.PyJWTError, ValueError) as exc:
        raise NotAuthenticated(INVALID_TOKEN) from exc
    version = claims.get("ver", 0)
    # Only what a bigint id and an integer version can be: a larger number would overflow the
    # query, a 500.
    if not 1 <= user_id <= MAX_ID:
        raise NotAuthenticated(INVALID_TOKEN)
    if type(version) is not int or not 0 <= version <= MAX_TOKEN_VERSION:
        raise NotAuthenticated(INVALID_TOKEN)
    return TokenClaims(user_id, version)
