"""`foodtour import osm`: read the file, import it with a progress bar, print the summary."""

import asyncio
import json
from datetime import UTC, datetime

import click

from tourism.config import get_settings
from tourism.database import run_in_transaction
from tourism.osm.service import ImportSummary, import_elements

SHOWN_INVALID_HOURS = 20


def _elements(path: str) -> list:
    try:
        with open(path, encoding="utf-8") as f:
            document = json.load(f)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise click.ClickException(f"{path}: not a readable JSON file ({exc})") from exc
    elements = document.get("elements") if isinstance(document, dict) else None
    if not isinstance(elements, list):
        raise click.ClickException(f"{path}: no `elements` list (is it an Overpass JSON export?)")
    return elements


def import_file(path: str, *, batch_size: int) -> ImportSummary:
    elements = _elements(path)
    with click.progressbar(
        length=len(elements), label="importing", file=click.get_text_stream("stderr")
    ) as bar:

        async def work(session):
            return await import_elements(
                session,
                elements,
                now=datetime.now(UTC),
                window_days=get_settings().open_window_days,
                batch_size=batch_size,
                progress=bar.update,
            )

        summary = asyncio.run(run_in_transaction(work))
    report(summary, total=len(elements))
    return summary


def report(summary: ImportSummary, *, total: int) -> None:
    click.echo(
        f"{total} elements: {summary.created} created, {summary.updated} updated, "
        f"{summary.unchanged} unchanged, {summary.skipped_total} skipped"
    )
    for reason, count in summary.skipped.most_common():
        click.echo(f"  skipped {count}: {reason}")
    if summary.invalid_hours:
        click.echo(
            f"{len(summary.invalid_hours)} opening_hours not understood, kept as given "
            "(open now: unknown):"
        )
        for ref, raw in summary.invalid_hours[:SHOWN_INVALID_HOURS]:
            click.echo(f"  {ref}: {raw!r}")
        if len(summary.invalid_hours) > SHOWN_INVALID_HOURS:
            click.echo(f"  ... and {len(summary.invalid_hours) - SHOWN_INVALID_HOURS} more")
