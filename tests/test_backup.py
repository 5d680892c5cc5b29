"""`foodtour backup` and `foodtour restore`: back up, drop the database, recreate it empty,
restore, and find every QR code, review and account as it was."""

import asyncio
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD, TEST_SECRET
from tourism import backup as backups
from tourism.accounts.schemas import UserCreate
from tourism.accounts.service import create_user
from tourism.config import Settings
from tourism.database import create_engine, create_session_factory, plain_dsn
from tourism.eateries.models import Eatery
from tourism.embedded import create_database, drop_database
from tourism.maintenance import migrate, seed
from tourism.qrcodes.schemas import QrCodeCreate
from tourism.qrcodes.service import create_code
from tourism.reviews.schemas import ReviewCreate
from tourism.reviews.service import submit

TABLES = ("qr_codes", "reviews", "users")


def _settings(url: str) -> Settings:
    return Settings(database_url=url, environment="test", secret_key=TEST_SECRET)


async def _fill(url: str) -> None:
    """Seed data, then one QR code, one review and one account of our own on top."""
    settings = _settings(url)
    await seed(settings, url)
    engine = create_engine(settings)
    try:
        async with create_session_factory(engine)() as session, session.begin():
            user = await create_user(
                session,
                data=UserCreate(
                    email="backup-lan@example.vn", password=PASSWORD, display_name="Lan"
                ),
            )
            await create_code(
                session,
                data=QrCodeCreate(
                    target={"kind": "search", "query": "bánh đa cua"},
                    campaign="tet-2027",
                    placement="Chợ Sắt",
                ),
                creator=None,
            )
            eatery_id = await session.scalar(select(Eatery.id).order_by(Eatery.id).limit(1))
            await submit(
                session,
                eatery_id=eatery_id,
                author=user,
                data=ReviewCreate(rating=5, text="Bánh đa cua rất ngon"),
                now=datetime.now(UTC),
                rate_buckets={f"review:user:{user.id}": 10},
            )
    finally:
        await engine.dispose()


async def _rows(url: str) -> dict[str, list[dict]]:
    """Every row of the tables that matter, by id, with every column."""
    conn = await asyncpg.connect(plain_dsn(url))
    try:
        return {
            table: [dict(r) for r in await conn.fetch(f"SELECT * FROM {table} ORDER BY id")]
            for table in TABLES
        }
    finally:
        await conn.close()


def _foodtour(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "TOURISM_DATABASE_URL": url,
        "TOURISM_ENVIRONMENT": "test",
        "TOURISM_SECRET_KEY": TEST_SECRET,
    }
    return subprocess.run(
        [sys.executable, "-m", "tourism.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).resolve().parent.parent,
    )


@pytest.fixture
def filled_database(fresh_database) -> str:
    url = fresh_database("foodtour_backup")
    migrate(url)
    asyncio.run(_fill(url))
    return url


def test_backup_drop_restore_finds_everything(filled_database, admin_dsn, tmp_path):
    url = filled_database
    name = url.rsplit("/", 1)[1]
    before = asyncio.run(_rows(url))
    assert all(before[table] for table in TABLES), {t: len(r) for t, r in before.items()}
    assert any(r["email"] == "backup-lan@example.vn" for r in before["users"])
    counts = f"{len(before['qr_codes'])} QR codes, {len(before['reviews'])} reviews, " + (
        f"{len(before['users'])} accounts"
    )

    file = tmp_path / "city.dump"
    made = _foodtour(url, "backup", str(file))
    assert made.returncode == 0, made.stderr
    size = file.stat().st_size
    assert size > 0 and file.read_bytes().startswith(b"PGDMP")  # the custom format
    assert made.stdout.splitlines() == [
        f"backed up {name} to {file} ({backups._size(file)}): {counts}"
    ]

    asyncio.run(drop_database(admin_dsn, name))
    asyncio.run(create_database(admin_dsn, name))  # empty, extensions only
    assert asyncio.run(_rows_or_none(url)) is None

    restored = _foodtour(url, "restore", str(file))
    assert restored.returncode == 0, restored.stderr
    assert restored.stdout.splitlines() == [
        f"restored {file} ({backups._size(file)}) into {name}: {counts}"
    ]
    assert asyncio.run(_rows(url)) == before

    # Over a database that has tables: refused in one line, nothing touched; --force replaces.
    refused = _foodtour(url, "restore", str(file))
    assert refused.returncode == 1
    assert refused.stderr.splitlines() == [
        f"Error: refusing to restore over database '{name}': it already has "
        f"{asyncio.run(backups.own_tables(backups.target(_settings(url))))} tables; "
        "--force replaces them with the backup's"
    ]
    forced = _foodtour(url, "restore", str(file), "--force")
    assert forced.returncode == 0, forced.stderr
    assert asyncio.run(_rows(url)) == before


async def _rows_or_none(url: str):
    try:
        return await _rows(url)
    except asyncpg.UndefinedTableError:
        return None


def test_the_password_is_never_on_the_command_line(monkeypatch, tmp_path):
    url = "postgresql+asyncpg://city:s3cret-pass@db.example:6543/foodtour?ssl=require"
    seen = []

    def run(command, *, env, **_):
        seen.append((command, env))
        return subprocess.CompletedProcess(command, 1, "", "pg_dump: error: no\nsecond line\n")

    monkeypatch.setattr(backups.subprocess, "run", run)
    with pytest.raises(backups.BackupError, match=r"^pg_dump failed: pg_dump: error: no \(and 1"):
        asyncio.run(backups.backup(_settings(url), tmp_path / "x.dump"))
    ((command, env),) = seen
    assert not any("s3cret" in arg for arg in command)
    assert {k: env[k] for k in ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE")} == {
        "PGHOST": "db.example",
        "PGPORT": "6543",
        "PGUSER": "city",
        "PGPASSWORD": "s3cret-pass",
        "PGDATABASE": "foodtour",
    }
    assert env["PGSSLMODE"] == "require"
    assert not (tmp_path / "x.dump").exists() and not list(tmp_path.iterdir())
