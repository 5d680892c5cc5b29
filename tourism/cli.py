"""The `foodtour` command: database, migrations, seed data and the server."""

import asyncio
import errno
import json
import os
import socket
import sys
from collections.abc import Iterator

import asyncpg
import click
from pydantic import ValidationError
from sqlalchemy.engine import make_url

from tourism.changes import UnversionedTables
from tourism.config import SECRET_SETTINGS, ConfigurationError, get_settings
from tourism.embedded import EmbeddedError
from tourism.maintenance import migrate, seed

# -- known failures, worded once for every command --------------------------------------------


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """`exc` and what it wraps: causes, contexts, a DBAPI error's original, a group's members."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo.extend(getattr(current, "exceptions", ()))
        for linked in (getattr(current, "orig", None), current.__cause__, current.__context__):
            if isinstance(linked, BaseException):
                todo.append(linked)


def _where() -> str:
    """The configured database as `user@host:port/name` (no password), for messages."""
    from tourism.database import database_url

    try:
        url = make_url(database_url(get_settings()))
    except Exception:  # noqa: BLE001 - only for wording a message
        return "the database"
    return f"PostgreSQL at {url.host or 'localhost'}:{url.port or 5432} (user {url.username})"


def _start_it() -> str:
    if os.environ.get("TOURISM_DATABASE_URL"):
        return "start it, or correct the host and port in TOURISM_DATABASE_URL"
    return "start the embedded one with `foodtour db up`"


def _settings_errors(exc: ValidationError) -> str:
    prefix = "TOURISM_GBFS_" if "Gbfs" in exc.title else "TOURISM_"
    lines = []
    for error in exc.errors():
        message = error["msg"].removeprefix("Value error, ")
        name = str(error["loc"][0]) if error["loc"] else ""
        variable = f"{prefix}{name.upper()}"
        if name and variable not in message:
            shown = error.get("input")
            secret = name in SECRET_SETTINGS or name == "database_url"
            given = f" (got {shown!r})" if isinstance(shown, str) and not secret else ""
            message = f"{variable}: {message}{given}"
        lines.append(message)
    return "\n".join(lines)


def friendly_failure(exc: BaseException) -> str | None:
    """One or two lines saying what is wrong and what to do, for the failures we know; None for
    the others (a bug: its traceback is wanted)."""
    for cause in _causes(exc):
        if isinstance(cause, ValidationError):
            return _settings_errors(cause)
        if isinstance(cause, ConfigurationError | EmbeddedError | UnversionedTables):
            return str(cause)
        if isinstance(cause, asyncpg.InvalidPasswordError):
            return (
                f"{_where()} refused the password: correct it in TOURISM_DATABASE_URL "
                "(or TOURISM_DATABASE_PASSWORD_FILE)"
            )
        if isinstance(cause, asyncpg.InvalidCatalogNameError):
            return f"{_where()}: {cause}; create it, or correct the name in TOURISM_DATABASE_URL"
        if isinstance(cause, asyncpg.InvalidAuthorizationSpecificationError):
            return f"{_where()} refused the connection: {cause}; check TOURISM_DATABASE_URL"
        if isinstance(cause, asyncpg.CannotConnectNowError):
            return f"{_where()} does not accept connections yet ({cause}): try again shortly"
        if isinstance(cause, socket.gaierror):
            return f"cannot resolve the host of {_where()}: check TOURISM_DATABASE_URL"
        if isinstance(cause, ConnectionRefusedError) or (
            isinstance(cause, OSError) and cause.errno == errno.ECONNREFUSED
        ):
            return f"cannot connect to {_where()}: connection refused; {_start_it()}"
        if isinstance(cause, TimeoutError):
            return (
                f"{_where()} did not answer in time: check the host in TOURISM_DATABASE_URL "
                "and any firewall between"
            )
    return None


class FriendlyGroup(click.Group):
    """Known failures of any command end in their one or two lines, not a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except Exception as exc:
            if isinstance(exc, click.ClickException | click.exceptions.Exit | click.Abort):
                raise
            if (message := friendly_failure(exc)) is None:
                raise
            raise click.ClickException(message) from exc


@click.group(cls=FriendlyGroup)
def main() -> None:
    """Hai Phong food-tour map: database, data and API server."""


@main.group()
def db() -> None:
    """The embedded PostGIS (ignored when TOURISM_DATABASE_URL is set)."""


def _embedded():
    from tourism.embedded import EmbeddedError, EmbeddedPostgres

    settings = get_settings()
    if settings.database_url:
        click.echo("TOURISM_DATABASE_URL is set: using that database, nothing to manage.")
        sys.exit(0)
    return EmbeddedPostgres(settings), EmbeddedError


@db.command("up")
def db_up() -> None:
    """Install (as root), create and start the embedded PostGIS; create the database."""
    server, error = _embedded()
    try:
        server.up()
    except error as exc:
        raise click.ClickException(str(exc)) from exc
    port = server.running_port() or server.port
    click.echo(f"PostGIS is up on 127.0.0.1:{port} (data in {server.paths.root})")


@db.command("down")
def db_down() -> None:
    """Stop the embedded PostGIS."""
    server, _ = _embedded()
    click.echo("stopped" if server.down() else "not running")


@db.command("status")
def db_status() -> None:
    """Say whether the embedded PostGIS is installed, created and running."""
    server, _ = _embedded()
    status = server.status()
    click.echo(json.dumps(status, indent=2))
    sys.exit(0 if status["running"] else 1)


@main.command("migrate")
@click.option("--revision", default="head", show_default=True)
@click.option("--down", is_flag=True, help="Downgrade to --revision instead.")
def migrate_command(revision: str, down: bool) -> None:
    """Apply the Alembic migrations."""
    migrate(revision=revision, down=down)
    click.echo(f"database {'downgraded' if down else 'migrated'} to {revision}")


@main.command("seed")
def seed_command() -> None:
    """Load the Hai Phong seed data (idempotent)."""
    summary = asyncio.run(seed(get_settings()))
    click.echo("seeded: " + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in summary.items()))


@main.command("backup")
@click.argument("file", type=click.Path(dir_okay=False))
def backup_command(file: str) -> None:
    """Back the database up to FILE (pg_dump's custom format; embedded or TOURISM_DATABASE_URL)."""
    from tourism.backup import BackupError, backup

    try:
        click.echo(asyncio.run(backup(get_settings(), file)))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc


@main.command("restore")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Replace the tables of a database that has some.")
def restore_command(file: str, force: bool) -> None:
    """Restore FILE (from `foodtour backup`) into the configured database.

    Refuses a database that already has tables unless --force.
    """
    from tourism.backup import BackupError, restore

    try:
        click.echo(asyncio.run(restore(get_settings(), file, force=force)))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc


@main.group("import")
def import_group() -> None:
    """Import data from other systems."""


@import_group.command("gbfs")
@click.argument("source")
@click.option(
    "--every",
    type=click.IntRange(min=5),
    default=None,
    metavar="SECONDS",
    help="Keep refreshing every SECONDS (each refresh one transaction) until stopped.",
)
@click.option(
    "--allow-shrink",
    is_flag=True,
    help="Apply a feed that takes more than TOURISM_GBFS_MAX_SHRINK of the installed stations "
    "off the map.",
)
def import_gbfs_command(source: str, every: int | None, allow_shrink: bool) -> None:
    """Stations and their status from an operator's GBFS 2.3 or 3.0 feed.

    SOURCE is the URL of its gbfs.json, or a directory holding gbfs.json,
    station_information.json and station_status.json. Bad stations are skipped and listed;
    a feed that cannot be used, or that would mark more than TOURISM_GBFS_MAX_SHRINK (20 %) of
    the installed stations as not installed, changes nothing (exit status 1).
    """
    from tourism.bikeshare.commands import run_import
    from tourism.bikeshare.config import GbfsSettings

    max_shrink = None if allow_shrink else GbfsSettings().max_shrink
    try:
        applied = asyncio.run(
            run_import(
                source,
                settings=get_settings(),
                echo=click.echo,
                every=every,
                max_shrink=max_shrink,
            )
        )
    except KeyboardInterrupt:
        applied = True
    if not applied:
        sys.exit(1)


@main.command("create-user")
@click.option("--email", required=True)
@click.option("--password", required=True, help="At least 10 characters, not only letters.")
@click.option(
    "--name",
    "display_name",
    default=None,
    help="Display name, shown publicly (default: the role, e.g. Visitor; never the e-mail).",
)
@click.option(
    "--role",
    type=click.Choice(["tourist", "vendor", "moderator", "admin", "operator"]),
    default="tourist",
    show_default=True,
)
@click.option("--eatery", "eateries", type=int, multiple=True, help="An eatery id (vendors).")
def create_user_command(
    email: str, password: str, display_name: str | None, role: str, eateries: tuple[int, ...]
) -> None:
    """Create an account of any role (this is how the first admin is made)."""
    from pydantic import ValidationError

    from tourism.accounts import service
    from tourism.accounts.models import ROLE_TITLES
    from tourism.accounts.schemas import UserCreate
    from tourism.database import run_in_transaction
    from tourism.exceptions import DomainError

    try:
        data = UserCreate(
            email=email, password=password, display_name=display_name or ROLE_TITLES[role]
        )
    except ValidationError as exc:
        raise click.ClickException("; ".join(e["msg"] for e in exc.errors())) from exc

    async def work(session):
        user = await service.create_user(session, data=data, role=role)
        if eateries:
            await service.assign_eateries(session, user_id=user.id, eatery_ids=list(eateries))
        return user.id

    try:
        user_id = asyncio.run(run_in_transaction(work))
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"created {role} {data.email} (id {user_id})")


@main.command("demo-accounts")
def demo_accounts_command() -> None:
    """In development, create one account per role once and print their logins."""
    from tourism.database import run_in_transaction
    from tourism.maintenance import create_demo_accounts

    if get_settings().environment != "development":
        return
    made = asyncio.run(run_in_transaction(create_demo_accounts))
    if made:
        click.echo("demo accounts (shown once; development only):")
        for role, email, password in made:
            click.echo(f"  {role:10} {email:32} {password}")


@main.group()
def qr() -> None:
    """QR codes for posters, tables and bike stations."""


@qr.command("make")
@click.argument("target")
@click.option(
    "--kind",
    type=click.Choice(["search", "dish", "eatery", "station"]),
    default="search",
    show_default=True,
    help="TARGET is a search text, a dish slug, an eatery id or a station id.",
)
@click.option("--campaign", required=True, help="e.g. tet-2027 (utm_campaign)")
@click.option("--placement", default=None, help="Where it is put up (utm_content).")
@click.option("--out", type=click.Path(dir_okay=False), default=None, help=".pdf, .png or .svg")
@click.option("--format", "paper", type=click.Choice(["a6", "a4"]), default="a6", show_default=True)
@click.option("--ec", type=click.Choice(["L", "M", "Q", "H"]), default="M", show_default=True)
@click.option("--size", type=click.IntRange(128, 4096), default=1024, show_default=True)
@click.option("--logo", type=click.Path(exists=True, dir_okay=False), help="Centre logo (level H).")
@click.option("--by", "by_email", default=None, help="Staff e-mail recorded as the creator.")
def qr_make(target, kind, campaign, placement, out, paper, ec, size, logo, by_email) -> None:
    """Create a code in the database and write its poster (or image)."""
    from tourism.qrcodes.commands import make_code

    try:
        view, path = make_code(
            get_settings(),
            target=target,
            kind=kind,
            campaign=campaign,
            placement=placement,
            out=out,
            paper=paper,
            level=ec,
            size=size,
            logo=logo,
            by_email=by_email,
        )
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"code       {view['code']}")
    click.echo(f"short url  {view['short_url']}")
    click.echo(f"deep link  {view['deep_link']}")
    click.echo(f"written    {path}")


@import_group.command("osm")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--batch-size", type=click.IntRange(1, 100_000), default=10_000, show_default=True)
def import_osm_command(path: str, batch_size: int) -> None:
    """Import eateries from an Overpass API JSON export (`[out:json]; ... out center;`), or the
    eatery nodes (amenity/shop) of an .osm.pbf file. Streamed: memory stays flat.

    Idempotent: elements are matched by OSM type and id, so importing again updates them.
    """
    from tourism.osm.commands import import_file

    import_file(path, batch_size=batch_size)


@import_group.command("streets")
@click.argument("path", metavar="FILE")
def import_streets_command(path: str) -> None:
    """Replace the street network the tour planner routes on with an OpenStreetMap extract.

    FILE is OSM XML (.osm) or PBF (.osm.pbf), e.g. cut with `osmium extract`. Needs pgRouting
    in the database (the command creates the extension); idempotent.
    """
    from tourism.database import run_in_transaction
    from tourism.tours.streets import StreetsError, import_streets

    try:
        network = asyncio.run(run_in_transaction(lambda session: import_streets(session, path)))
    except StreetsError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"streets from {network.source}: {network.vertices} vertices, {network.edges} edges, "
        f"{network.km:.1f} km"
    )


def usable_cpus() -> int:
    """The CPUs this process may run on: its CPU affinity, capped by a cgroup CPU quota (a
    container's `--cpus`, a systemd CPUQuota=) rounded up."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    quota = None
    try:  # cgroup v2: "max 100000" or "150000 100000"
        limit, period = open("/sys/fs/cgroup/cpu.max").read().split()
        quota = None if limit == "max" else int(limit) / int(period)
    except (OSError, ValueError):
        try:  # cgroup v1
            limit = int(open("/sys/fs/cgroup/cpu/cpu.cfs_quota_us").read())
            period = int(open("/sys/fs/cgroup/cpu/cpu.cfs_period_us").read())
            quota = limit / period if limit > 0 and period > 0 else None
        except (OSError, ValueError):
            pass
    if quota is not None:
        cpus = min(cpus or 1, max(1, -(-quota // 1)))
    return max(1, int(cpus or 1))


@main.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=lambda: int(os.environ.get("PORT", "8000")))
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    envvar="TOURISM_WORKERS",
    default=usable_cpus,
    show_default="one per usable CPU (affinity, cgroup quota)",
    help='Worker processes (TOURISM_WORKERS); docs/benchmarks.md, "Workers".',
)
def run_command(host: str, port: int, workers: int) -> None:
    """Serve the API (PORT overrides the port)."""
    import uvicorn

    from tourism.server import uvicorn_options

    # Everything that would stop the server is found before it says it serves.
    problems = asyncio.run(_problems(database_only=True))
    if problems:
        raise click.ClickException("\n".join(problems))
    if not _port_is_free(host, port):
        raise click.ClickException(
            f"port {port} on {host} is in use by another program: stop it, or choose another "
            "with --port (or PORT)"
        )
    click.echo(f"serving on http://{host}:{port} (OpenAPI at /docs)")
    uvicorn.run(
        "tourism.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        # uvicorn restarts a worker that has not answered its supervisor in 5 s: on a busy
        # machine a worker still importing the app is restarted again and again
        timeout_worker_healthcheck=30,
        access_log=False,
        log_level="info",
        # uvicorn's own proxy-header handling trusts the same proxies as the app's resolver
        # (tourism.proxies) and no others: its default would trust 127.0.0.1 (X-Forwarded-Proto
        # then sets the scheme; X-Forwarded-For, the address).
        proxy_headers=bool(get_settings().trusted_networks),
        forwarded_allow_ips=get_settings().trusted_proxies or None,
        # Our access lines (tourism.observability) replace uvicorn's; TOURISM_LOG_FORMAT.
        **uvicorn_options(get_settings().max_header_bytes, log_format=get_settings().log_format),
    )


def _port_is_free(host: str, port: int) -> bool:
    """Whether uvicorn can listen on `host`:`port` now (bound as it binds: SO_REUSEADDR)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise click.ClickException(f"--host {host}: not an address of this machine") from exc
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return False
            raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    return True


async def _problems(*, database_only: bool) -> list[str]:
    """The configuration's and the database's problems, one line each (raises for settings
    that cannot be read at all: FriendlyGroup words them)."""
    from tourism.bikeshare.config import GbfsSettings
    from tourism.maintenance import check_database, production_problems

    settings = get_settings()
    problems = production_problems(settings, GbfsSettings())
    try:
        found = await check_database(settings, extensions=not database_only)
    except Exception as exc:  # noqa: BLE001 - worded if known, raised if not
        if (message := friendly_failure(exc)) is None:
            raise
        return [*problems, message]
    return problems + found.problems


@main.command("check")
def check_command() -> None:
    """Check the configuration and the database (reachable, extensions, migrations).

    Prints each problem on one line and exits 1 if there is any.
    """
    from tourism.bikeshare.config import GbfsSettings
    from tourism.maintenance import check_database, production_problems

    problems: list[str] = []
    try:
        settings = get_settings()
        gbfs = GbfsSettings()
    except Exception as exc:
        if (message := friendly_failure(exc)) is None:
            raise
        problems.extend(message.splitlines())
    else:
        problems.extend(production_problems(settings, gbfs))
        try:
            found = asyncio.run(check_database(settings))
        except Exception as exc:
            if (message := friendly_failure(exc)) is None:
                raise
            problems.append(message)
        else:
            problems.extend(found.problems)
            for note in found.notes:
                click.echo(f"note: {note}")
            if not problems:
                click.echo(f"ok: configuration ({settings.environment})")
                for passed in found.passed:
                    click.echo(f"ok: {passed}")
    for problem in problems:
        click.echo(f"problem: {problem}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
