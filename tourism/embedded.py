"""The embedded PostGIS cluster behind `foodtour db up|down|status`.

Debian's PostgreSQL binaries run as the invoking user, or as ``postgres`` when invoked as root
(``initdb`` and ``postgres`` refuse to run as root). The cluster listens on 127.0.0.1 only, at a
non-default port, with a random password kept in a file only the invoking user can read.
"""

import asyncio
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from tourism.config import Settings, running_as_root

PG_VERSION = "15"
APT_PACKAGE = f"postgresql-{PG_VERSION}-postgis-3"
# pgRouting gives the tour planner street distances (`foodtour import streets`). Optional: the
# app and its migrations work without it (the planner then estimates from straight lines).
ROUTING_PACKAGE = "postgresql-{version}-pgrouting"
EXTENSIONS = ("postgis", "pg_trgm", "unaccent")
SERVER_CONF = {
    "listen_addresses": "'127.0.0.1'",
    "max_connections": "200",
    "shared_buffers": "'256MB'",
    "work_mem": "'16MB'",
    "timezone": "'UTC'",
    "log_min_messages": "warning",
    "jit": "off",
}
# Settings earlier versions wrote and `up` now takes out again: a cluster-wide
# `synchronous_commit = off` lost acknowledged writes in a crash (only the QR scans' own
# sessions commit asynchronously: tourism/qrcodes/scans.py).
RETIRED_CONF = ("synchronous_commit",)


class EmbeddedError(RuntimeError):
    """The embedded cluster cannot be set up; the message says what to do."""


@dataclass(frozen=True)
class Paths:
    root: Path

    @property
    def pgdata(self) -> Path:
        return self.root / "pgdata"

    @property
    def socket_dir(self) -> Path:
        return self.root / "run"

    @property
    def password_file(self) -> Path:
        return self.root / "password"

    @property
    def log_file(self) -> Path:
        return self.root / "postgres.log"

    @property
    def port_file(self) -> Path:
        """The port the cluster last started on: it comes back there after a restart."""
        return self.root / "port"


def port_is_free(port: int) -> bool:
    """Whether PostgreSQL could listen on 127.0.0.1:`port` now.

    PostgreSQL binds with SO_REUSEADDR, so the probe does too: the TIME_WAIT sockets a stopped
    server leaves behind do not make its port look busy.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
            probe.listen(1)
        except OSError:
            return False
        return True


def free_port(start: int, tries: int = 100) -> int:
    """The first port from `start` on that nothing listens on at 127.0.0.1."""
    for port in range(start, min(start + tries, 65536)):
        if port_is_free(port):
            return port
    raise EmbeddedError(f"no free port in {start}..{start + tries - 1}: set TOURISM_EMBEDDED_PORT")


def find_bindir() -> Path | None:
    """The bin directory of a PostgreSQL that has PostGIS installed, or None."""
    for version in (PG_VERSION, "16", "17", "14"):
        bindir = Path(f"/usr/lib/postgresql/{version}/bin")
        control = Path(f"/usr/share/postgresql/{version}/extension/postgis.control")
        if (bindir / "postgres").exists() and control.exists():
            return bindir
    return None


def has_pgrouting(bindir: Path) -> bool:
    """Whether the PostgreSQL of `bindir` has pgRouting installed (`CREATE EXTENSION` works)."""
    return Path(f"/usr/share/postgresql/{bindir.parent.name}/extension/pgrouting.control").exists()


def _apt_install(*packages: str, env: dict[str, str], update: bool = True) -> None:
    if update:
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages],
        check=True,
        env=env,
    )


class EmbeddedPostgres:
    """Create, start, stop and describe the project's own PostGIS cluster."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.port = settings.embedded_port
        self.paths = Paths(settings.data_root)
        self.server_user = "postgres" if running_as_root() else pwd.getpwuid(os.geteuid()).pw_name

    # -- connection -----------------------------------------------------------------------
    def password(self) -> str:
        try:
            return self.paths.password_file.read_text().strip()
        except OSError as exc:
            raise EmbeddedError(
                f"no embedded database at {self.paths.root}: run `foodtour db up` first, "
                "or set TOURISM_DATABASE_URL"
            ) from exc

    def running_port(self) -> int | None:
        """The port the cluster listens on now (line 4 of postmaster.pid), if it runs."""
        try:
            return int((self.paths.pgdata / "postmaster.pid").read_text().splitlines()[3])
        except (OSError, IndexError, ValueError):
            return None

    def last_port(self) -> int | None:
        try:
            return int(self.paths.port_file.read_text())
        except (OSError, ValueError):
            return None

    def url(self, database: str, driver: str = "postgresql+asyncpg") -> str:
        """Where the cluster is now: read on every new connection, so an API started before a
        restart follows the cluster wherever it came back (tourism.database)."""
        port = self.running_port() or self.last_port() or self.port
        return f"{driver}://postgres:{quote(self.password(), safe='')}@127.0.0.1:{port}/{database}"

    # -- commands ---------------------------------------------------------------------------
    def _as_server_user(self, *cmd: str | Path) -> list[str]:
        args = [str(c) for c in cmd]
        return ["runuser", "-u", "postgres", "--", *args] if running_as_root() else args

    def _run(self, *cmd: str | Path, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self._as_server_user(*cmd), check=check, capture_output=True, text=True
        )

    def ensure_installed(self) -> Path:
        bindir = find_bindir()
        if bindir and (has_pgrouting(bindir) or not running_as_root()):
            return bindir
        routing = ROUTING_PACKAGE.format(version=bindir.parent.name if bindir else PG_VERSION)
        if not running_as_root():
            raise EmbeddedError(
                "PostGIS is not installed. Install it once (pgRouting for street distances) with:\n"
                f"    sudo apt-get install -y {APT_PACKAGE} {routing}\n"
                "or point TOURISM_DATABASE_URL at an existing PostGIS."
            )
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        updated = False
        if not bindir:
            print(f"installing {APT_PACKAGE} with apt-get ...", file=sys.stderr)
            _apt_install(APT_PACKAGE, env=env)
            updated = True
            bindir = find_bindir()
            if not bindir:
                raise EmbeddedError(f"{APT_PACKAGE} installed but PostGIS was not found")
        # pgRouting is optional: one try, and a failure is a warning, remembered so that later
        # `db up`s (and test sessions) do not wait on apt-get again.
        tried = self.paths.root / "pgrouting-install-failed"
        if not has_pgrouting(bindir) and not tried.exists():
            print(f"installing {routing} (street distances) with apt-get ...", file=sys.stderr)
            try:
                _apt_install(routing, env=env, update=not updated)
            except (OSError, subprocess.CalledProcessError) as exc:
                print(
                    f"{routing} could not be installed ({exc}): no street distances, the tour "
                    f"planner estimates them. Delete {tried} to try again.",
                    file=sys.stderr,
                )
                tried.parent.mkdir(parents=True, exist_ok=True)
                tried.write_text(f"{exc}\n")
        return bindir

    def _initdb(self, bindir: Path) -> None:
        root = self.paths.root
        root.mkdir(parents=True, exist_ok=True)
        for d in (self.paths.pgdata, self.paths.socket_dir):
            d.mkdir(mode=0o700, exist_ok=True)
        if running_as_root():
            # The server user must traverse the root and own its directories.
            root.chmod(0o755)
            shutil.chown(self.paths.pgdata, "postgres", "postgres")
            shutil.chown(self.paths.socket_dir, "postgres", "postgres")
        password = secrets.token_urlsafe(24)
        pwfile = self.paths.socket_dir / "initdb.pw"
        pwfile.write_text(password)
        if running_as_root():
            shutil.chown(pwfile, "postgres", "postgres")
        pwfile.chmod(0o600)
        try:
            self._run(
                bindir / "initdb",
                "-D",
                self.paths.pgdata,
                "-U",
                "postgres",
                f"--pwfile={pwfile}",
                "--auth=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            )
        finally:
            pwfile.unlink(missing_ok=True)
        self._write_conf()
        self.paths.password_file.write_text(password + "\n")
        self.paths.password_file.chmod(0o600)

    def _write_conf(self) -> None:
        """Our server settings in postgresql.auto.conf, replacing what an earlier version wrote."""
        conf = self.paths.pgdata / "postgresql.auto.conf"
        ours = {*SERVER_CONF, *RETIRED_CONF}
        kept = [
            line
            for line in (conf.read_text().splitlines() if conf.exists() else [])
            if line.split("=", 1)[0].strip() not in ours
        ]
        kept += [f"{key} = {value}" for key, value in SERVER_CONF.items()]
        conf.write_text("\n".join(kept) + "\n")

    def is_running(self, bindir: Path | None = None) -> bool:
        bindir = bindir or find_bindir()
        if not bindir or not (self.paths.pgdata / "PG_VERSION").exists():
            return False
        return (
            self._run(bindir / "pg_ctl", "status", "-D", self.paths.pgdata, check=False).returncode
            == 0
        )

    def up(self) -> str:
        """Install, create and start the cluster, and create the database; idempotent."""
        bindir = self.ensure_installed()
        if not (self.paths.pgdata / "PG_VERSION").exists():
            print(f"creating a PostGIS cluster in {self.paths.pgdata}", file=sys.stderr)
            self._initdb(bindir)
        if not self.is_running(bindir):
            if not self.paths.log_file.exists() and running_as_root():
                self.paths.log_file.touch()
                shutil.chown(self.paths.log_file, "postgres", "postgres")
            self._write_conf()
            # Back on the port it had, unless something else took it meanwhile (another
            # checkout's cluster): then the next free one. The URL follows the port the cluster
            # runs on (postmaster.pid), so nothing else changes, running APIs included.
            last = self.last_port()
            port = last if last and port_is_free(last) else free_port(self.port)
            result = self._run(
                bindir / "pg_ctl",
                "start",
                "-w",
                "-t",
                "60",
                "-D",
                self.paths.pgdata,
                "-l",
                self.paths.log_file,
                "-o",
                f"-p {port} -k {self.paths.socket_dir}",
                check=False,
            )
            if result.returncode != 0:
                tail = ""
                if self.paths.log_file.exists():
                    tail = "\n".join(self.paths.log_file.read_text().splitlines()[-15:])
                raise EmbeddedError(
                    f"PostgreSQL did not start on 127.0.0.1:{port}\n{result.stderr}\n{tail}"
                )
            self.paths.port_file.write_text(f"{port}\n")
        asyncio.run(self.create_database(self.settings.embedded_database))
        return self.url(self.settings.embedded_database)

    def down(self) -> bool:
        bindir = find_bindir()
        if not bindir or not self.is_running(bindir):
            return False
        self._run(bindir / "pg_ctl", "stop", "-m", "fast", "-w", "-D", self.paths.pgdata)
        return True

    def status(self) -> dict[str, object]:
        return {
            "data_dir": str(self.paths.root),
            "port": self.running_port() or self.port,
            "installed": find_bindir() is not None,
            "initialised": (self.paths.pgdata / "PG_VERSION").exists(),
            "running": self.is_running(),
        }

    async def create_database(self, name: str) -> None:
        await create_database(self.url("postgres", driver="postgresql"), name)


async def create_database(admin_dsn: str, name: str) -> None:
    """Create database ``name`` (UTF-8) with PostGIS, pg_trgm and unaccent, if missing."""
    import asyncpg

    conn = await asyncpg.connect(admin_dsn)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await conn.execute(
                f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' "
                "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
            )
    finally:
        await conn.close()
    dsn = admin_dsn.rsplit("/", 1)[0] + f"/{name}"
    conn = await asyncpg.connect(dsn)
    try:
        for ext in EXTENSIONS:
            await conn.execute(f"CREATE EXTENSION IF NOT EXISTS {ext}")
    finally:
        await conn.close()


async def drop_database(admin_dsn: str, name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()
