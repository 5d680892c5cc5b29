"""Keeping a database in shape: migrations, the seed data, development's demo accounts.

Used by the `foodtour` command, the tests and the benchmarks; above every domain.
"""

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tourism.accounts import service as accounts
from tourism.accounts.models import User
from tourism.accounts.schemas import UserCreate
from tourism.bikeshare.config import GbfsSettings
from tourism.config import PROJECT_ROOT, Settings
from tourism.eateries.models import Eatery


def _alembic_config(url: str | None = None):
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["url"] = url
    return config


def migrate(url: str | None = None, revision: str = "head", *, down: bool = False) -> None:
    """Run Alembic against `url` (default: the configured database)."""
    from alembic import command

    config = _alembic_config(url)
    (command.downgrade if down else command.upgrade)(config, revision)


# -- `foodtour check` and the checks `foodtour run` makes before it serves --------------------

# Created by the migrations; a managed PostgreSQL must offer them (README, "Deploying").
REQUIRED_EXTENSIONS = ("postgis", "pg_trgm", "unaccent", "btree_gist")
# Wanted, not needed: without it the tour planner estimates walks from straight lines.
OPTIONAL_EXTENSIONS = {
    "pgrouting": "street distances for the tour planner, `foodtour import streets`"
}
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]", "0.0.0.0")


@dataclass
class Findings:
    """What a check found: problems (each one line, saying what to do), notes and passes."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    passed: list[str] = field(default_factory=list)


def production_problems(settings: Settings, gbfs: GbfsSettings) -> list[str]:
    """What production must not run with (the secret key is refused by Settings itself)."""
    if settings.environment != "production":
        return []
    problems = []
    try:
        gbfs.refuse_placeholders()
    except ValueError as exc:
        problems.append(str(exc))
    for name in ("public_web_url", "public_api_url"):
        host = urlsplit(getattr(settings, name)).hostname or ""
        if host in LOOPBACK_HOSTS or not host:
            problems.append(
                f"TOURISM_{name.upper()} is {getattr(settings, name)}: set the public https:// "
                "address tourists reach (QR codes and feeds print it)"
            )
    return problems


async def check_database(settings: Settings, *, extensions: bool = True) -> Findings:
    """The configured database: its extensions, and its migrations against this code's head.

    Connection failures are raised (the command line words them: tourism.cli.friendly_failure).
    """
    import asyncpg
    from alembic.script import ScriptDirectory

    from tourism.database import CONNECT_TIMEOUT_S, database_url, plain_dsn

    found = Findings()
    connection = await asyncpg.connect(plain_dsn(database_url(settings)), timeout=CONNECT_TIMEOUT_S)
    try:
        found.passed.append(
            f"database reachable ({await connection.fetchval('SHOW server_version')})"
        )
        if extensions:
            installed = set(
                await connection.fetchval("SELECT array_agg(extname) FROM pg_extension")
            )
            available = set(
                await connection.fetchval("SELECT array_agg(name) FROM pg_available_extensions")
            )
            for name in REQUIRED_EXTENSIONS:
                if name in installed:
                    found.passed.append(f"extension {name} installed")
                elif name in available:
                    found.problems.append(
                        f"extension {name} is not created in this database: run `foodtour migrate`"
                        " (as a user allowed to CREATE EXTENSION)"
                    )
                else:
                    found.problems.append(
                        f"extension {name} is not available on this PostgreSQL server: install it"
                        " (managed services: enable it in the provider's extension list)"
                    )
            for name, use in OPTIONAL_EXTENSIONS.items():
                if name not in installed:
                    found.notes.append(f"extension {name} is not installed (optional: {use})")
        has_versions = await connection.fetchval(
            "SELECT to_regclass('alembic_version') IS NOT NULL"
        )
        current = (
            set(
                await connection.fetchval("SELECT array_agg(version_num) FROM alembic_version")
                or []
            )
            if has_versions
            else set()
        )
    finally:
        await connection.close()
    script = ScriptDirectory.from_config(_alembic_config())
    heads = set(script.get_heads())
    known = {revision.revision for revision in script.walk_revisions()}
    if current == heads:
        found.passed.append(f"migrations at head ({', '.join(sorted(heads))})")
    elif not current:
        found.problems.append("the database is not migrated: run `foodtour migrate`")
    elif current - known:
        found.problems.append(
            f"the database is at revision {', '.join(sorted(current - known))}, which this code "
            "does not know (migrated by a newer version?): deploy that version or downgrade with it"
        )
    else:
        found.problems.append(
            f"the database is at revision {', '.join(sorted(current))}, this code needs "
            f"{', '.join(sorted(heads))}: run `foodtour migrate`"
        )
    return found


async def seed(settings: Settings, url: str | None = None) -> dict:
    from seeds.loader import load_seeds
    from tourism.database import run_in_transaction

    async def work(session):
        return await load_seeds(
            session, now=datetime.now(UTC), window_days=settings.open_window_days
        )

    return vars(await run_in_transaction(work, settings, url=url))


async def create_demo_accounts(session: AsyncSession) -> list[tuple[str, str, str]]:
    """One account per role with a fresh random password, when none exist yet (development).

    Returns (role, e-mail, password) of the accounts made, to be shown once.
    """
    if await session.scalar(select(func.count()).select_from(User)):
        return []
    first_eatery = await session.scalar(select(Eatery.id).order_by(Eatery.id).limit(1))
    made = []
    for role in ("tourist", "vendor", "moderator", "admin", "operator"):
        email, password = f"demo.{role}@example.com", secrets.token_urlsafe(12) + "-1a"
        data = UserCreate(email=email, password=password, display_name=f"Demo {role}")
        user = await accounts.create_user(session, data=data, role=role)
        if role == "vendor" and first_eatery:
            await accounts.assign_eateries(session, user_id=user.id, eatery_ids=[first_eatery])
        made.append((role, email, password))
    return made
