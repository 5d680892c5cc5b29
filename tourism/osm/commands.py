"""`foodtour import osm`: stream the file into the import with progress bars, print the summary."""

import asyncio
import os
from contextlib import ExitStack
from datetime import UTC, datetime

import click

from tourism.config import get_settings
from tourism.database import run_in_transaction
from tourism.osm.reader import CountingFile, UnreadableExport, json_elements, pbf_elements
from tourism.osm.service import ImportSummary, Progress, import_elements

SHOWN_INVALID_HOURS = 20


class _Bars(Progress):
    """`reading` (bytes of the file) while staging, then `writing` (places)."""

    def __init__(self, stack: ExitStack, size: int) -> None:
        self.stack, self.elements = stack, 0
        self.reading, self.reading_done = _bar(size, "reading"), False
        self.reading.render_progress()
        stack.callback(self._finish_reading)
        self.bar = None

    def _finish_reading(self) -> None:
        if not self.reading_done:
            self.reading_done = True
            self.reading.render_finish()

    def read_bytes(self, n: int) -> None:
        self.reading.update(n)

    def staged(self, elements: int) -> None:
        self.elements += elements

    def writing(self, total: int) -> None:
        self.reading.update(self.reading.length - self.reading.pos)  # PBF: no byte count
        self._finish_reading()
        self.bar = self.stack.enter_context(_bar(total, "writing"))

    def written(self, places: int) -> None:
        self.bar.update(places)


def _bar(length: int, label: str):
    return click.progressbar(length=length, label=label, file=click.get_text_stream("stderr"))


def import_file(path: str, *, batch_size: int) -> ImportSummary:
    """Import an Overpass JSON export, or the eatery nodes of an .osm.pbf file."""
    with ExitStack() as stack:
        bars = _Bars(stack, os.path.getsize(path))
        if path.endswith(".pbf"):
            elements = pbf_elements(path)
        else:
            file = CountingFile(stack.enter_context(open(path, "rb")), bars.read_bytes)
            elements = json_elements(file, name=path)

        async def work(session):
            return await import_elements(
                session,
                elements,
                now=datetime.now(UTC),
                window_days=get_settings().open_window_days,
                batch_size=batch_size,
                progress=bars,
            )

        try:
            summary = asyncio.run(run_in_transaction(work))
        except UnreadableExport as exc:  # nothing was written: the transaction rolled back
            raise click.ClickException(str(exc)) from exc
    report(summary, total=bars.elements)
    return summary


def report(summary: ImportSummary, *, total: int) -> None:
    click.echo(
        f"{total} elements: {summary.created} created, {summary.updated} updated, "
        f"{summary.unchanged} unchanged, {summary.skipped_total} skipped"
    )
    for reason, count in summary.skipped.most_common():
        click.echo(f"  skipped {count}: {reason}")
    if summary.invalid_hours_total:
        click.echo(
            f"{summary.invalid_hours_total} opening_hours not understood, kept as given "
            "(open now: unknown):"
        )
        for ref, raw in summary.invalid_hours[:SHOWN_INVALID_HOURS]:
            click.echo(f"  {ref}: {raw!r}")
        if summary.invalid_hours_total > SHOWN_INVALID_HOURS:
            click.echo(f"  ... and {summary.invalid_hours_total - SHOWN_INVALID_HOURS} more")
