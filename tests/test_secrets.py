"""Secrets read from files (TOURISM_<NAME>_FILE), and the secret key's rotation window."""

import secrets
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from pydantic import ValidationError

from tests.conftest import PASSWORD, TEST_SECRET
from tourism.accounts.security import create_access_token, read_token
from tourism.config import ConfigurationError, Settings, normalise_database_url
from tourism.exceptions import InvalidInput, NotAuthenticated
from tourism.search.service import decode_cursor, encode_cursor

OLD_KEY = "old-key-" + secrets.token_hex(16)
NEW_KEY = "new-key-" + secrets.token_hex(16)
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def clean_env(monkeypatch):
    for name in (
        "TOURISM_SECRET_KEY",
        "TOURISM_PREVIOUS_SECRET_KEYS",
        "TOURISM_DATABASE_URL",
        "TOURISM_DATABASE_PASSWORD",
        "TOURISM_METRICS_TOKEN",
    ):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(f"{name}_FILE", raising=False)
    monkeypatch.setenv("TOURISM_ENVIRONMENT", "production")
    return monkeypatch


def write(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


# -- _FILE ---------------------------------------------------------------------------------


def test_the_secret_key_from_a_file_is_stripped(clean_env, tmp_path):
    clean_env.setenv("TOURISM_SECRET_KEY_FILE", write(tmp_path, "key", f"  {NEW_KEY}\n"))
    assert Settings().secret_key.get_secret_value() == NEW_KEY


def test_a_variable_and_its_file_together_are_refused(clean_env, tmp_path):
    clean_env.setenv("TOURISM_SECRET_KEY", NEW_KEY)
    clean_env.setenv("TOURISM_SECRET_KEY_FILE", write(tmp_path, "key", NEW_KEY))
    with pytest.raises(ConfigurationError, match="TOURISM_SECRET_KEY and TOURISM_SECRET_KEY_FILE"):
        Settings()


def test_an_unreadable_file_is_named(clean_env, tmp_path):
    clean_env.setenv("TOURISM_SECRET_KEY_FILE", str(tmp_path / "missing"))
    with pytest.raises(ConfigurationError, match="TOURISM_SECRET_KEY_FILE: cannot read .*missing"):
        Settings()


def test_the_database_password_from_a_file_goes_into_the_url(clean_env, tmp_path):
    clean_env.setenv("TOURISM_SECRET_KEY", NEW_KEY)
    clean_env.setenv("TOURISM_DATABASE_URL", "postgres://foodtour@db.internal:5432/foodtour")
    # characters a URL must escape, so that asyncpg reads back exactly this password
    clean_env.setenv("TOURISM_DATABASE_PASSWORD_FILE", write(tmp_path, "pw", "p@ss/w:rd%\n"))
    url = Settings().database_url
    assert url == "postgresql+asyncpg://foodtour:p%40ss%2Fw%3Ard%25@db.internal:5432/foodtour"


def test_a_password_in_the_url_and_in_a_file_is_refused(clean_env, tmp_path):
    clean_env.setenv("TOURISM_SECRET_KEY", NEW_KEY)
    clean_env.setenv("TOURISM_DATABASE_URL", "postgresql://u:inline@db/foodtour")
    clean_env.setenv("TOURISM_DATABASE_PASSWORD_FILE", write(tmp_path, "pw", "other"))
    with pytest.raises(ValidationError, match="has a password and TOURISM_DATABASE_PASSWORD"):
        Settings()


def test_a_database_password_and_its_file_are_refused(clean_env, tmp_path):
    clean_env.setenv("TOURISM_DATABASE_PASSWORD", "x")
    clean_env.setenv("TOURISM_DATABASE_PASSWORD_FILE", write(tmp_path, "pw", "x"))
    with pytest.raises(ConfigurationError, match="TOURISM_DATABASE_PASSWORD and .*_FILE"):
        Settings()


def test_previous_keys_from_a_file_one_a_line(clean_env, tmp_path):
    clean_env.setenv("TOURISM_SECRET_KEY", NEW_KEY)
    other = "older-key-" + secrets.token_hex(16)
    clean_env.setenv(
        "TOURISM_PREVIOUS_SECRET_KEYS_FILE", write(tmp_path, "old", f"{OLD_KEY}\n{other}\n")
    )
    assert Settings().verification_keys == (NEW_KEY, OLD_KEY, other)
    clean_env.delenv("TOURISM_PREVIOUS_SECRET_KEYS_FILE")
    clean_env.setenv("TOURISM_PREVIOUS_SECRET_KEYS", f"{OLD_KEY}, {other}")
    assert Settings().verification_keys == (NEW_KEY, OLD_KEY, other)


def test_a_short_previous_key_is_refused(clean_env):
    clean_env.setenv("TOURISM_SECRET_KEY", NEW_KEY)
    clean_env.setenv("TOURISM_PREVIOUS_SECRET_KEYS", "short")
    with pytest.raises(ValidationError, match="TOURISM_PREVIOUS_SECRET_KEYS"):
        Settings()


@pytest.mark.parametrize(
    "url",
    [
        "postgres://u:p@h:5432/d",
        "postgresql://u:p@h:5432/d",
        "postgresql+asyncpg://u:p@h:5432/d",
    ],
)
def test_every_postgres_scheme_means_asyncpg(url):
    assert normalise_database_url(url) == "postgresql+asyncpg://u:p@h:5432/d"


def test_url_parameters_survive_normalising():
    url = "postgres://u:p@h/d?sslmode=require"
    assert normalise_database_url(url) == "postgresql+asyncpg://u:p@h/d?sslmode=require"


# -- rotation: tokens ------------------------------------------------------------------------


def settings_with(current: str, *previous: str) -> Settings:
    return Settings(
        environment="test",
        secret_key=current,
        previous_secret_keys=previous,
        database_url="postgresql://u@h/d",
    )


def test_a_token_of_the_previous_key_is_accepted_during_the_rotation():
    old = settings_with(OLD_KEY)
    token, _ = create_access_token(user_id=7, settings=old, now=datetime.now(UTC), version=2)
    rotating = settings_with(NEW_KEY, OLD_KEY)
    assert read_token(token, rotating) == (7, 2)
    # new tokens are signed with the current key only
    fresh, _ = create_access_token(user_id=7, settings=rotating, now=datetime.now(UTC))
    jwt.decode(fresh, NEW_KEY, algorithms=["HS256"])
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(fresh, OLD_KEY, algorithms=["HS256"])


def test_after_the_rotation_the_previous_key_is_refused():
    token, _ = create_access_token(
        user_id=7, settings=settings_with(OLD_KEY), now=datetime.now(UTC)
    )
    with pytest.raises(NotAuthenticated):
        read_token(token, settings_with(NEW_KEY))
    with pytest.raises(NotAuthenticated):
        read_token(token, settings_with(NEW_KEY, "unrelated-" + secrets.token_hex(16)))


def test_an_expired_token_of_a_previous_key_is_still_expired():
    then = datetime.now(UTC) - timedelta(days=1)
    token, _ = create_access_token(user_id=7, settings=settings_with(OLD_KEY), now=then)
    with pytest.raises(NotAuthenticated):
        read_token(token, settings_with(NEW_KEY, OLD_KEY))


# -- rotation: search cursors ----------------------------------------------------------------


def _cursor(secret: str) -> str:
    return encode_cursor(key=0.5, eatery_id=3, at=NOW, fingerprint="f", secret=secret.encode())


def test_a_cursor_of_the_previous_key_is_accepted_during_the_rotation():
    decoded = decode_cursor(
        _cursor(OLD_KEY),
        fingerprint="f",
        secret=NEW_KEY.encode(),
        now=NOW,
        previous_secrets=[OLD_KEY.encode()],
    )
    assert decoded == (0.5, 3, NOW)
    with pytest.raises(InvalidInput):
        decode_cursor(_cursor(OLD_KEY), fingerprint="f", secret=NEW_KEY.encode(), now=NOW)


# -- rotation through the API ----------------------------------------------------------------


async def test_the_api_accepts_both_keys_during_a_rotation(database_url, seeded, people):
    """A logged-in visitor and a paging search survive the switch to a new key."""
    import httpx

    from tourism.main import create_app

    async def serve(settings: Settings):
        app = create_app(settings, background=False)
        context = app.router.lifespan_context(app)
        await context.__aenter__()
        transport = httpx.ASGITransport(app=app)
        return context, httpx.AsyncClient(transport=transport, base_url="http://test")

    base = {"environment": "test", "database_url": database_url}
    old_context, old = await serve(Settings(**base, secret_key=TEST_SECRET))
    new_context, new = await serve(
        Settings(**base, secret_key=NEW_KEY, previous_secret_keys=[TEST_SECRET])
    )
    after_context, after = await serve(Settings(**base, secret_key=NEW_KEY))
    try:
        login = await old.post(
            "/api/v1/auth/token",
            data={"username": people["tourist"]["email"], "password": PASSWORD},
        )
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        assert (await new.get("/api/v1/auth/me", headers=headers)).status_code == 200
        assert (await after.get("/api/v1/auth/me", headers=headers)).status_code == 401

        first = (await old.get("/api/v1/search", params={"q": "bánh", "limit": 1})).json()
        assert first["next_cursor"], first
        page = {"q": "bánh", "limit": 1, "cursor": first["next_cursor"]}
        assert (await new.get("/api/v1/search", params=page)).status_code == 200
        assert (await after.get("/api/v1/search", params=page)).status_code == 422
    finally:
        for client, context in ((old, old_context), (new, new_context), (after, after_context)):
            await client.aclose()
            await context.__aexit__(None, None, None)


def test_the_metrics_token_from_a_file(clean_env, tmp_path):
    clean_env.setenv("TOURISM_SECRET_KEY", NEW_KEY)
    clean_env.setenv("TOURISM_METRICS_TOKEN_FILE", write(tmp_path, "metrics", "scrape-me\n"))
    assert Settings().metrics_token.get_secret_value() == "scrape-me"
