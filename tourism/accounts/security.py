"""Password hashing (argon2 via pwdlib) and signed, expiring access tokens (PyJWT, HS256)."""

from datetime import datetime, timedelta

import jwt
from pwdlib import PasswordHash

from tourism.config import Settings
from tourism.exceptions import NotAuthenticated

ALGORITHM = "HS256"
_hasher = PasswordHash.recommended()
# Verified against when the e-mail is unknown, so a wrong address takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a password anyone has")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    return _hasher.verify(password, password_hash or _DUMMY_HASH) and password_hash is not None


def create_access_token(*, user_id: int, settings: Settings, now: datetime) -> tuple[str, int]:
    """A token naming the user, and its lifetime in seconds."""
    lifetime = timedelta(minutes=settings.access_token_minutes)
    claims = {"sub": str(user_id), "iat": now, "exp": now + lifetime}
    token = jwt.encode(claims, settings.secret_key.get_secret_value(), algorithm=ALGORITHM)
    return token, int(lifetime.total_seconds())


def user_id_from_token(token: str, settings: Settings) -> int:
    try:
        claims = jwt.decode(
            token,
            settings.secret_key.get_secret_value(),
            algorithms=[ALGORITHM],
            options={"require": ["exp", "sub"]},
        )
        return int(claims["sub"])
    except (jwt.PyJWTError, ValueError) as exc:
        raise NotAuthenticated("the access token is invalid or has expired") from exc
