"""The `foodtour` command: database, migrations, seed data and the server."""

import asyncio
import json
import os
import sys

import click

from tourism.config import get_settings
from tourism.maintenance import migrate, seed


@click.group()
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
def import_gbfs_command(source: str, every: int | None) -> None:
    """Stations and their status from an operator's GBFS 2.3 or 3.0 feed.

    SOURCE is the URL of its gbfs.json, or a directory holding gbfs.json,
    station_information.json and station_status.json. Bad stations are skipped and listed;
    a feed that cannot be used changes nothing (exit status 1).
    """
    from tourism.bikeshare.commands import run_import

    try:
        applied = asyncio.run(
            run_import(source, settings=get_settings(), echo=click.echo, every=every)
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
@click.option("--batch-size", type=click.IntRange(1, 5000), default=500, show_default=True)
def import_osm_command(path: str, batch_size: int) -> None:
    """Import eateries from an Overpass API JSON export (`[out:json]; ... out center;`).

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


@main.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=lambda: int(os.environ.get("PORT", "8000")))
@click.option("--workers", type=int, default=1, show_default=True)
def run_command(host: str, port: int, workers: int) -> None:
    """Serve the API (PORT overrides the port)."""
    import uvicorn

    from tourism.server import uvicorn_options

    click.echo(f"serving on http://{host}:{port} (OpenAPI at /docs)")
    uvicorn.run(
        "tourism.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,
        log_level="info",
        **uvicorn_options(get_settings().max_header_bytes),
    )


if __name__ == "__main__":
    main()
