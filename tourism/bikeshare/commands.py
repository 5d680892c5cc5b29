"""`foodtour import gbfs`: read an operator's feeds from a URL or a directory, then apply them.

Files are fetched before the transaction opens (no lock is held while the network is slow);
one refresh is then one transaction: all of it lands, or nothing does.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tourism.bikeshare import operator_feeds as feeds
from tourism.bikeshare.operator_feeds import MAX_FEED_BYTES, FeedError, Snapshot
from tourism.bikeshare.service import ImportReport, ShrinkRefused, apply_snapshot
from tourism.config import Settings
from tourism.database import create_engine, create_session_factory

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 10
MAX_REDIRECTS = 3
USER_AGENT = "foodtour-gbfs-import/0.1"

Read = Callable[[str, str], Awaitable[bytes]]
MAX_SKIPPED_SHOWN = 50


def is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


async def _read_url(client: httpx.AsyncClient, name: str, url: str) -> bytes:
    """GET `url`, refusing other schemes and stopping at MAX_FEED_BYTES."""
    if not is_url(url):
        raise FeedError(f"{name}: only http(s) URLs are fetched, not {url!r}")
    try:
        async with client.stream("GET", url) as response:
            if response.status_code != 200:
                raise FeedError(f"{name}: HTTP {response.status_code} from {url}")
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > MAX_FEED_BYTES:
                    raise FeedError(f"{name}: larger than {MAX_FEED_BYTES} bytes")
            return bytes(body)
    except httpx.HTTPError as exc:
        raise FeedError(f"{name}: cannot fetch {url}: {exc}") from exc


def _read_file(name: str, path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_FEED_BYTES:
            raise FeedError(f"{name}: larger than {MAX_FEED_BYTES} bytes")
        return path.read_bytes()
    except OSError as exc:
        raise FeedError(f"{name}: cannot read {path}: {exc.strerror or exc}") from exc


async def read_snapshot(
    source: str, *, now: datetime, client: httpx.AsyncClient | None = None
) -> Snapshot:
    """Read and check the feeds of `source`: a gbfs.json URL, a directory, or a gbfs.json path.

    From a directory, each feed is the file named after it (`station_status.json`), whatever
    URL gbfs.json gives: a saved copy of a feed still points at the operator's server.
    """
    if is_url(source):
        own = client is None
        client = client or httpx.AsyncClient(
            timeout=TIMEOUT_SECONDS,
            follow_redirects=True,
            max_redirects=MAX_REDIRECTS,
            headers={"User-Agent": USER_AGENT},
        )

        async def read(name: str, url: str) -> bytes:
            # Feeds may be given relative to gbfs.json; only http(s) is ever fetched.
            return await _read_url(client, name, urljoin(source, url))

        try:
            return await _snapshot(read, source, now)
        finally:
            if own:
                await client.aclose()
    path = Path(source)
    directory = path if path.is_dir() else path.parent
    discovery = path / "gbfs.json" if path.is_dir() else path

    async def read(name: str, url: str) -> bytes:
        file = discovery if name == "gbfs" else directory / f"{name}.json"
        return await asyncio.to_thread(_read_file, name, file)

    return await _snapshot(read, str(discovery), now)


async def _snapshot(read: Read, discovery_url: str, now: datetime) -> Snapshot:
    found = feeds.parse_discovery(feeds.load_json(await read("gbfs", discovery_url), "gbfs.json"))
    documents: dict[str, Any] = {}
    for name in ("station_information", "station_status"):
        documents[name] = feeds.load_json(await read(name, found.feeds[name]), name)
    stations, listed, skipped = feeds.parse_station_information(
        documents["station_information"], version=found.version, language=found.language
    )
    statuses, status_skipped = feeds.parse_station_status(
        documents["station_status"], version=found.version, now=now
    )
    return Snapshot(
        version=found.version,
        stations=stations,
        statuses=statuses,
        listed=listed,
        skipped=skipped + status_skipped,
    )


async def refresh(
    sessions: async_sessionmaker[AsyncSession],
    source: str,
    *,
    now: datetime | None = None,
    max_shrink: float | None = None,
) -> ImportReport:
    """Read `source` and apply it in one transaction. Raises FeedError when nothing applies,
    ShrinkRefused when it would take more than `max_shrink` of the installed stations away."""
    snapshot = await read_snapshot(source, now=now or datetime.now(UTC))
    async with sessions() as session, session.begin():
        return await apply_snapshot(session, snapshot=snapshot, max_shrink=max_shrink)


async def refresh_every(
    sessions: async_sessionmaker[AsyncSession],
    source: str,
    *,
    seconds: float,
    report: Callable[[ImportReport | Exception], None],
    rounds: int | None = None,
    max_shrink: float | None = None,
) -> None:
    """Refresh every `seconds` (forever, or `rounds` times); a failed round never stops it."""
    done = 0
    while rounds is None or done < rounds:
        started = asyncio.get_running_loop().time()
        try:
            report(await refresh(sessions, source, max_shrink=max_shrink))
        except Exception as exc:  # noqa: BLE001 - a bad feed or a database outage: try again
            log.warning("GBFS import failed: %s", exc)
            report(exc)
        done += 1
        if rounds is None or done < rounds:
            elapsed = asyncio.get_running_loop().time() - started
            await asyncio.sleep(max(0.0, seconds - elapsed))


def describe(outcome: ImportReport | Exception) -> list[str]:
    """Lines for a person: the summary and each skipped entry (the first ones), or the error."""
    if isinstance(outcome, ShrinkRefused):
        return [f"not imported, nothing changed: {outcome}; --allow-shrink applies it"]
    if isinstance(outcome, Exception):
        return [f"not imported, nothing changed: {outcome}"]
    lines = [outcome.summary()]
    lines += [f"  skipped {item}" for item in outcome.skipped[:MAX_SKIPPED_SHOWN]]
    if len(outcome.skipped) > MAX_SKIPPED_SHOWN:
        lines.append(f"  ... and {len(outcome.skipped) - MAX_SKIPPED_SHOWN} more")
    return lines


async def run_import(
    source: str,
    *,
    settings: Settings,
    echo: Callable[[str], None],
    every: float | None = None,
    rounds: int | None = None,
    max_shrink: float | None = None,
) -> bool:
    """The command: one refresh (True when applied), or one every `every` seconds.

    `max_shrink`: the share of the installed stations a refresh may take off the map (None:
    any)."""
    engine = create_engine(settings)
    sessions = create_session_factory(engine)

    def report(outcome: ImportReport | Exception) -> None:
        stamp = datetime.now(UTC).astimezone().isoformat(timespec="seconds")
        for line in describe(outcome):
            echo(f"{stamp} {line}" if every else line)

    try:
        if every is None:
            try:
                report(await refresh(sessions, source, max_shrink=max_shrink))
            except (FeedError, ShrinkRefused) as exc:
                report(exc)
                return False
            return True
        await refresh_every(
            sessions, source, seconds=every, report=report, rounds=rounds, max_shrink=max_shrink
        )
        return True
    finally:
        await engine.dispose()
