"""Scans: the redirect, exact counts under concurrency, and statistics in Hai Phong's calendar."""

import asyncio
import secrets
import subprocess
import sys
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.conftest import TEST_SECRET
from tests.qr.decode import pdf_text
from tourism.qrcodes.scans import ScanLimiter, client_kind

IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile"
ANDROID = "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 Chrome/124 Mobile"
DESKTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124"
BOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


async def make(client, who, *, name=None, placement=None):
    body = {
        "target": {"kind": "search", "query": "bánh đa cua"},
        "campaign": name or f"test-{secrets.token_hex(4)}",
        "placement": placement,
    }
    r = await client.post("/api/v1/qr-codes", headers=who["headers"], json=body)
    assert r.status_code == 201, r.text
    return r.json()


async def stats(client, who, code, **params):
    r = await client.get(f"/api/v1/qr-codes/{code}/stats", headers=who["headers"], params=params)
    assert r.status_code == 200, r.text
    return r.json()


def phone(app, address: str) -> httpx.AsyncClient:
    """A client calling from `address` (the ASGI scope's client, as a server would set it)."""
    transport = httpx.ASGITransport(app=app, client=(address, 40_000))
    return httpx.AsyncClient(transport=transport, base_url="http://test")


async def phones(stack: AsyncExitStack, app, count: int) -> list[httpx.AsyncClient]:
    return [
        await stack.enter_async_context(phone(app, f"10.13.{i // 250}.{i % 250 + 1}"))
        for i in range(count)
    ]


@pytest.mark.parametrize(
    ("agent", "kind"),
    [
        (IPHONE, "ios"),
        ("Mozilla/5.0 (iPad; CPU OS 16_0 like Mac OS X)", "ios"),
        (ANDROID, "android"),
        (DESKTOP, "desktop"),
        ("Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0", "desktop"),
        (BOT, "bot"),
        ("facebookexternalhit/1.1", "bot"),
        ("curl/8.5.0", "other"),
        ("", "other"),
    ],
)
def test_client_kinds(agent, kind):
    assert client_kind(agent) == kind


async def test_a_scan_redirects_counts_and_is_never_cached(client, people, session):
    from sqlalchemy import text

    made = await make(client, people["moderator"])
    r = await client.get(f"/q/{made['code']}", headers={"User-Agent": IPHONE})
    assert r.status_code == 302
    assert r.headers["location"] == made["deep_link"]
    assert r.headers["cache-control"] == "no-store"
    await client.get(f"/q/{made['code']}", headers={"User-Agent": ANDROID})
    await client.get(f"/q/{made['code']}", headers={"User-Agent": ANDROID})
    result = await stats(client, people["moderator"], made["code"])
    assert result["total"] == 3 and result["in_range"] == 3
    assert result["by_client"] == {"ios": 1, "android": 2}
    # What is kept of a scan: the time and the kind of client, nothing that identifies anyone.
    columns = await session.scalars(
        text(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'qr_scans'"
            " ORDER BY ordinal_position"
        )
    )
    assert list(columns) == ["id", "code_id", "scanned_at", "client"]


async def test_concurrent_scans_are_counted_exactly(client, people, app):
    made = await make(client, people["admin"])
    path = f"/q/{made['code']}"
    async with AsyncExitStack() as stack:
        crowd = await phones(stack, app, 50)
        answers = await asyncio.gather(*(p.get(path) for p in crowd))
        assert [a.status_code for a in answers] == [302] * 50
        assert (await stats(client, people["admin"], made["code"]))["total"] == 50
        # Two codes scanned at once do not mix their counts.
        other = await make(client, people["admin"])
        both = [p.get(path) for p in crowd[:20]] + [
            p.get(f"/q/{other['code']}") for p in crowd[20:]
        ]
        await asyncio.gather(*both)
    assert (await stats(client, people["admin"], made["code"]))["total"] == 70
    assert (await stats(client, people["admin"], other["code"]))["total"] == 30


async def test_one_client_is_counted_a_few_times_a_minute(client, people, app, clock):
    made, second = await make(client, people["moderator"]), await make(client, people["moderator"])
    path = f"/q/{made['code']}"
    start = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)
    clock(start)
    assert app.state.resources.scans.limit == 3

    async def total(code=made["code"]):
        return (await stats(client, people["moderator"], code))["total"]

    async with phone(app, "203.0.113.7") as mine, phone(app, "203.0.113.8") as theirs:
        # A burst from one phone (a refreshing page, a script): every scan goes where the code
        # leads, three are counted.
        answers = await asyncio.gather(*(mine.get(path) for _ in range(20)))
        assert [a.status_code for a in answers] == [302] * 20
        assert {a.headers["location"] for a in answers} == {made["deep_link"]}
        assert all(a.headers["cache-control"] == "no-store" for a in answers)
        assert await total() == 3
        clock(start + timedelta(seconds=59))
        assert (await mine.get(path)).status_code == 302
        assert await total() == 3
        # Another phone, and the same phone on another code, are counted on their own.
        for _ in range(5):
            assert (await theirs.get(path)).status_code == 302
        assert await total() == 6
        assert (await mine.get(f"/q/{second['code']}")).status_code == 302
        assert await total(second["code"]) == 1
        # A minute after its first counted scans, the phone is counted again (three times).
        clock(start + timedelta(minutes=1))
        for _ in range(5):
            assert (await mine.get(path)).status_code == 302
        assert await total() == 9
    result = await stats(client, people["moderator"], made["code"], **{"from": "2026-06-01"})
    assert result["by_day"][0] == {"date": "2026-06-01", "scans": 9}


def test_the_scan_limiter_is_bounded_and_slides():
    limiter = ScanLimiter(limit=2, window=timedelta(seconds=10), max_keys=100)
    t0 = datetime(2026, 6, 1, tzinfo=UTC)

    def at(seconds: float) -> datetime:
        return t0 + timedelta(seconds=seconds)

    counted = [limiter.admit("a", "Code123", at(s)) for s in (0, 1, 2, 9.9)]
    assert counted == [True, True, False, False]
    assert limiter.admit("a", "Code123", at(10)) is True  # the scan at 0 left the window
    assert limiter.admit("a", "Code123", at(10.5)) is False  # 1 and 10 are in it
    assert limiter.admit("a", "Code456", at(10.5)) is True
    # A clock set back does not stop counting.
    assert limiter.admit("a", "Code123", at(-60)) is True
    # At most `max_keys` clients are remembered, the least recently seen forgotten first.
    assert [limiter.admit("b", "Code123", at(11)) for _ in range(3)] == [True, True, False]
    for i in range(1000):
        limiter.admit(f"10.0.{i // 250}.{i % 250}", "Code123", at(11))
    assert len(limiter) == 100
    assert limiter.admit("b", "Code123", at(11)) is True  # forgotten: counted again
    with pytest.raises(ValueError):
        ScanLimiter(limit=0)


async def test_days_follow_the_hai_phong_calendar(client, people, clock):
    made = await make(client, people["moderator"])
    # 23:59:59 and 00:00:00 in Hai Phong (+07:00) on either side of local midnight; both are
    # on 1 March in UTC.
    for instant in (
        datetime(2026, 3, 1, 16, 59, 59, tzinfo=UTC),
        datetime(2026, 3, 1, 17, 0, 0, tzinfo=UTC),
        datetime(2026, 3, 1, 17, 0, 1, tzinfo=UTC),
        datetime(2026, 3, 3, 2, 0, tzinfo=UTC),
    ):
        clock(instant)
        assert (await client.get(f"/q/{made['code']}")).status_code == 302
    result = await stats(
        client, people["moderator"], made["code"], **{"from": "2026-02-28", "to": "2026-03-03"}
    )
    assert result["from"] == "2026-02-28" and result["to"] == "2026-03-03"
    assert result["by_day"] == [
        {"date": "2026-02-28", "scans": 0},
        {"date": "2026-03-01", "scans": 1},
        {"date": "2026-03-02", "scans": 2},
        {"date": "2026-03-03", "scans": 1},
    ]
    assert result["in_range"] == 4 and result["total"] == 4
    one_day = await stats(
        client, people["moderator"], made["code"], **{"from": "2026-03-02", "to": "2026-03-02"}
    )
    assert one_day["by_day"] == [{"date": "2026-03-02", "scans": 2}]
    assert one_day["in_range"] == 2 and one_day["total"] == 4
    # By default: the last 30 days up to today (the clock's).
    clock(datetime(2026, 3, 3, 17, 30, tzinfo=UTC))  # 00:30 on 4 March in Hai Phong
    default = await stats(client, people["moderator"], made["code"])
    assert default["to"] == "2026-03-04" and default["from"] == "2026-02-03"
    assert len(default["by_day"]) == 30 and default["in_range"] == 4


async def test_stats_ranges_are_bounded(client, people):
    made = await make(client, people["admin"])

    async def field(**params):
        r = await client.get(
            f"/api/v1/qr-codes/{made['code']}/stats",
            headers=people["admin"]["headers"],
            params=params,
        )
        assert r.status_code == 422, r.text
        return {d["field"] for d in r.json()["error"]["details"]}

    assert await field(**{"from": "2026-03-02", "to": "2026-03-01"}) == {"from"}
    assert await field(**{"from": "2025-01-01", "to": "2026-03-01"}) == {"from"}
    assert await field(**{"from": "yesterday"}) == {"from"}
    assert await field(to="2026-02-30") == {"to"}


async def test_campaign_stats_sum_its_codes(client, people, clock):
    name = f"test-{secrets.token_hex(4)}"
    poster = await make(client, people["moderator"], name=name, placement="Nhà hát Lớn")
    table = await make(client, people["admin"], name=name, placement="Bàn 4")
    vendor = await client.post(
        "/api/v1/qr-codes",
        headers=people["owner"]["headers"],
        json={
            "target": {"kind": "eatery", "id": people["owner"]["eatery"]},
            "campaign": name,
            "placement": "quầy",
        },
    )
    assert vendor.status_code == 201
    clock(datetime(2026, 5, 10, 3, 0, tzinfo=UTC))
    for code, times in ((poster["code"], 3), (table["code"], 1), (vendor.json()["code"], 2)):
        for _ in range(times):
            await client.get(f"/q/{code}")
    clock(datetime(2026, 5, 10, 18, 0, tzinfo=UTC))  # 01:00 on 11 May in Hai Phong
    await client.get(f"/q/{table['code']}")

    params = {"from": "2026-05-10", "to": "2026-05-11"}
    r = await client.get(
        f"/api/v1/campaigns/{name}/stats", headers=people["moderator"]["headers"], params=params
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["campaign"] == name and body["total"] == 7 and body["in_range"] == 7
    assert body["by_day"] == [
        {"date": "2026-05-10", "scans": 6},
        {"date": "2026-05-11", "scans": 1},
    ]
    per_code = [(c["placement"], c["total"]) for c in body["codes"]]
    assert per_code[0] == ("Nhà hát Lớn", 3)  # most scanned first; ties in any order
    assert sorted(per_code[1:]) == [("Bàn 4", 2), ("quầy", 2)]
    # A vendor sees its own codes of the campaign only.
    mine = await client.get(
        f"/api/v1/campaigns/{name}/stats", headers=people["owner"]["headers"], params=params
    )
    assert mine.json()["total"] == 2 and [c["placement"] for c in mine.json()["codes"]] == ["quầy"]
    for who, status in (("other_vendor", 404), ("tourist", 403), ("anonymous", 401)):
        r = await client.get(f"/api/v1/campaigns/{name}/stats", headers=people[who]["headers"])
        assert r.status_code == status, who
    r = await client.get(
        "/api/v1/campaigns/no-such-campaign/stats", headers=people["admin"]["headers"]
    )
    assert r.status_code == 404
    r = await client.get("/api/v1/campaigns/Bad Name/stats", headers=people["admin"]["headers"])
    assert r.status_code == 422


def _foodtour(database_url: str, *args: str, cwd) -> subprocess.CompletedProcess:
    env = {
        "PATH": "/usr/bin:/bin",
        "TOURISM_DATABASE_URL": database_url,
        "TOURISM_ENVIRONMENT": "test",
        "TOURISM_SECRET_KEY": TEST_SECRET,
    }
    return subprocess.run(
        [sys.executable, "-m", "tourism.cli", "qr", "make", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )


async def test_command_line_makes_a_code_and_its_poster(
    client, people, database_url, tmp_path, settings
):
    from tourism.config import PROJECT_ROOT

    out = tmp_path / "poster.pdf"
    done = await asyncio.to_thread(
        _foodtour,
        database_url,
        "bánh đa cua",
        "--campaign",
        "tet-2027",
        "--placement",
        "Nhà hát Lớn poster",
        "--out",
        str(out),
        "--format",
        "a4",
        cwd=PROJECT_ROOT,
    )
    assert done.returncode == 0, done.stderr
    lines = dict(line.split(None, 1) for line in done.stdout.splitlines() if "  " in line)
    code = lines["code"].strip()
    short_url = f"{settings.public_api_url}/q/{code}"
    assert pdf_text(out.read_bytes()) == [short_url]
    r = await client.get(f"/api/v1/qr-codes/{code}", headers=people["admin"]["headers"])
    assert r.json()["origin"] == "cli" and r.json()["created_by"] is None
    scan = await client.get(f"/q/{code}")
    assert scan.headers["location"] == r.json()["deep_link"]
    # Recorded as a staff account when asked; a tourist account is refused; bad input named.
    by = await asyncio.to_thread(
        _foodtour,
        database_url,
        "nem-cua-be",
        "--kind",
        "dish",
        "--campaign",
        "tet-2027",
        "--out",
        str(tmp_path / "nem.png"),
        "--by",
        people["moderator"]["email"],
        cwd=PROJECT_ROOT,
    )
    assert by.returncode == 0, by.stderr
    assert (tmp_path / "nem.png").read_bytes().startswith(b"\x89PNG")
    refused = await asyncio.to_thread(
        _foodtour,
        database_url,
        "x",
        "--campaign",
        "c",
        "--by",
        people["tourist"]["email"],
        "--out",
        str(tmp_path / "x.pdf"),
        cwd=PROJECT_ROOT,
    )
    assert refused.returncode != 0 and "tourist" in refused.stderr
    assert not (tmp_path / "x.pdf").exists()
    unknown = await asyncio.to_thread(
        _foodtour, database_url, "khong-co", "--kind", "dish", "--campaign", "c", cwd=PROJECT_ROOT
    )
    assert unknown.returncode != 0 and "target.slug" in unknown.stderr


async def test_a_code_with_control_characters_is_an_unknown_code(client):
    for code in ("Zz9Zz9Z%00", "Zz9%0AZz9Z", "%7F%7F%7F%7F%7F%7F%7F"):
        r = await client.get(f"/q/{code}")
        assert r.status_code == 404, code
        assert r.headers["cache-control"] == "no-store"
        assert r.json()["error"]["code"] == "not_found"
