"""`foodtour backup FILE` and `foodtour restore FILE`: pg_dump's custom format and pg_restore.

For the configured database (TOURISM_DATABASE_URL) or the embedded cluster. The password goes
to pg_dump and pg_restore in their environment (PGPASSWORD), never on a command line that `ps`
shows. A restore goes into the configured database and refuses one that already has tables of
its own unless forced: `--clean --if-exists` would replace them.
"""

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from tourism.config import Settings
from tourism.database import database_url, plain_dsn
from tourism.embedded import find_bindir

# Debian's server packages keep their client programs here, newest first.
DEBIAN_VERSIONS = ("17", "16", "15", "14")
# What the printed posters and the people depend on: counted after each backup and restore.
COUNTED = (("qr_codes", "QR codes"), ("reviews", "reviews"), ("users", "accounts"))
# asyncpg's `ssl=` query values, as libpq's sslmode.
SSL_MODES = {"true": "require", "false": "disable"}


class BackupError(RuntimeError):
    """A backup or restore that cannot be made; the message says what is wrong, in one line."""


@dataclass(frozen=True)
class Target:
    """Where the database is, as libpq's environment variables, and its asyncpg DSN."""

    env: dict[str, str]
    database: str
    dsn: str


def target(settings: Settings) -> Target:
    url = make_url(database_url(settings))
    env = {
        "PGHOST": url.host or "localhost",
        "PGPORT": str(url.port or 5432),
        "PGDATABASE": url.database or "",
    }
    if url.username:
        env["PGUSER"] = url.username
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    ssl = url.query.get("sslmode") or url.query.get("ssl")
    if isinstance(ssl, str):
        env["PGSSLMODE"] = SSL_MODES.get(ssl, ssl)
    return Target(env=env, database=url.database or "", dsn=plain_dsn(database_url(settings)))


def tool(name: str, settings: Settings) -> str:
    """pg_dump or pg_restore: the embedded cluster's own, else on PATH, else Debian's newest."""
    candidates = []
    if not settings.database_url and (bindir := find_bindir()):
        candidates.append(bindir / name)
    if found := shutil.which(name):
        candidates.append(Path(found))
    candidates += [Path(f"/usr/lib/postgresql/{v}/bin/{name}") for v in DEBIAN_VERSIONS]
    for path in candidates:
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
    raise BackupError(
        f"{name} not found: install the PostgreSQL client (apt install postgresql-client)"
    )


def _run(command: list[str], where: Target) -> None:
    # Only the child's environment gets the password; the command line holds none.
    env = {**os.environ, **where.env}
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise BackupError(f"{command[0]}: {exc.strerror or exc}") from exc
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        detail = lines[0] if lines else f"exit status {done.returncode}"
        if len(lines) > 1:
            detail += f" (and {len(lines) - 1} more lines)"
        raise BackupError(f"{Path(command[0]).name} failed: {detail}")


async def _connect(where: Target) -> asyncpg.Connection:
    try:
        return await asyncpg.connect(where.dsn, timeout=10)
    except (OSError, asyncpg.PostgresError) as exc:
        raise BackupError(f"cannot connect to database {where.database!r}: {exc}") from exc


async def counts(where: Target) -> dict[str, int]:
    """Rows of each counted table (None for a table the database does not have)."""
    conn = await _connect(where)
    try:
        found = {}
        for table, label in COUNTED:
            exists = await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", f"public.{table}")
            found[label] = await conn.fetchval(f"SELECT count(*) FROM {table}") if exists else None
        return found
    finally:
        await conn.close()


async def own_tables(where: Target) -> int:
    """Tables in the database that no extension owns (PostGIS's spatial_ref_sys does not count)."""
    conn = await _connect(where)
    try:
        return await conn.fetchval(
            """
            SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
              AND n.nspname NOT LIKE 'pg\\_%'
              AND NOT EXISTS (
                SELECT 1 FROM pg_depend d
                WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
              )
            """
        )
    finally:
        await conn.close()


def _size(path: Path) -> str:
    size = float(path.stat().st_size)
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


def _counted(found: dict[str, int | None]) -> str:
    return ", ".join(f"{n if n is not None else 'no'} {label}" for label, n in found.items())


async def backup(settings: Settings, file: str | Path) -> str:
    """Dump the database to `file` (custom format); the one line to print."""
    where, path = target(settings), Path(file)
    if path.is_dir():
        raise BackupError(f"{path} is a directory: give a file name, e.g. {path}/foodtour.dump")
    # Written next to the file and renamed: a failed dump never leaves half a backup behind
    # under the name of a good one.
    partial = path.with_name(f".{path.name}.partial")
    try:
        _run([tool("pg_dump", settings), "--format=custom", "--file", str(partial)], where)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    found = await counts(where)
    return f"backed up {where.database} to {path} ({_size(path)}): {_counted(found)}"


async def restore(settings: Settings, file: str | Path, *, force: bool = False) -> str:
    """Restore `file` into the configured database; the one line to print."""
    where, path = target(settings), Path(file)
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    if not force and (tables := await own_tables(where)):
        raise BackupError(
            f"refusing to restore over database {where.database!r}: it already has {tables} "
            "tables; --force replaces them with the backup's"
        )
    _run(
        [
            tool("pg_restore", settings),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-acl",  # grants name the old server's roles
            "--single-transaction",
            "--dbname",
            where.database,
            str(path),
        ],
        where,
    )
    found = await counts(where)
    return f"restored {path} ({_size(path)}) into {where.database}: {_counted(found)}"
