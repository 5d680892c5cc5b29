"""Known failures end in one or two lines that say what to do, and a non-zero exit, for every
command and the server: the real `foodtour` in a process of its own each time."""

import os
import socket
import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

import pytest

from tourism.config import PROJECT_ROOT, SECRET_SETTINGS
from tourism.embedded import free_port

COMMANDS = (["migrate"], ["seed"], ["check"], ["run"])


def foodtour(*args: str, env: dict[str, str], timeout: float = 60) -> tuple[int, list[str]]:
    """Run `foodtour args` with only `env` of ours (none of the caller's TOURISM_*): its exit
    status and its output lines (stdout and stderr together)."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("TOURISM_", "PORT"))}
    done = subprocess.run(
        [sys.executable, "-m", "tourism.cli", *args],
        env={**inherited, "TOURISM_ENVIRONMENT": "test", **env},
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return done.returncode, (done.stdout + done.stderr).splitlines()


def closed_port() -> int:
    """A loopback port nothing listens on now."""
    return free_port(23000)


def _command(args: list[str]) -> list[str]:
    # `run` on a port of its own, so that a run that wrongly starts cannot take a real one.
    return [*args, "--port", str(free_port(24000))] if args == ["run"] else args


def with_password(url: str, password: str) -> str:
    parts = urlsplit(url)
    netloc = f"{parts.username}:{password}@{parts.hostname}:{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc))


def assert_short_failure(status: int, lines: list[str], *words: str) -> None:
    text = "\n".join(lines)
    assert status != 0, text
    assert 1 <= len(lines) <= 2, text
    assert "Traceback" not in text
    assert "serving" not in text
    for word in words:
        assert word.lower() in text.lower(), text


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: a[0])
def test_an_unreachable_database(args):
    url = f"postgresql://foodtour:x@127.0.0.1:{closed_port()}/foodtour"
    status, lines = foodtour(*_command(args), env={"TOURISM_DATABASE_URL": url})
    assert_short_failure(status, lines, "connection refused", "127.0.0.1", "TOURISM_DATABASE_URL")


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: a[0])
def test_a_wrong_password(args, database_url):
    url = with_password(database_url, "not-the-password")
    status, lines = foodtour(*_command(args), env={"TOURISM_DATABASE_URL": url})
    assert_short_failure(status, lines, "password", "TOURISM_DATABASE_URL")
    assert "not-the-password" not in "\n".join(lines)


@pytest.mark.parametrize("args", [*COMMANDS, ["db", "up"]], ids=lambda a: "-".join(a))
def test_a_url_of_another_database(args):
    url = "mysql://u:p@localhost/foodtour"
    status, lines = foodtour(*_command(args), env={"TOURISM_DATABASE_URL": url})
    assert_short_failure(status, lines, "TOURISM_DATABASE_URL", "mysql://", "postgresql://")


@pytest.mark.parametrize("args", [["check"], ["run"]], ids=lambda a: a[0])
def test_a_url_that_is_no_url(args):
    status, lines = foodtour(*_command(args), env={"TOURISM_DATABASE_URL": "not a url"})
    assert_short_failure(status, lines, "TOURISM_DATABASE_URL", "not a URL", "postgresql://")


@pytest.mark.parametrize("args", [*COMMANDS, ["db", "up"]], ids=lambda a: "-".join(a))
def test_an_unknown_environment(args, database_url):
    env = {"TOURISM_ENVIRONMENT": "prod", "TOURISM_DATABASE_URL": database_url}
    status, lines = foodtour(*_command(args), env=env)
    assert_short_failure(status, lines, "TOURISM_ENVIRONMENT", "production", "'prod'")


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: a[0])
def test_production_without_a_secret(args, database_url):
    env = {"TOURISM_ENVIRONMENT": "production", "TOURISM_DATABASE_URL": database_url}
    status, lines = foodtour(*_command(args), env=env)
    assert_short_failure(status, lines, "TOURISM_SECRET_KEY", "production")


def test_run_on_a_busy_port_says_so_before_serving(database_url, seeded):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        status, lines = foodtour(
            "run", "--port", str(port), env={"TOURISM_DATABASE_URL": database_url}
        )
    assert_short_failure(status, lines, f"port {port}", "in use", "--port")


def test_postgres_urls_are_accepted(database_url, seeded):
    """What managed providers hand out: postgres://, and postgresql:// as libpq writes it."""
    for scheme in ("postgres", "postgresql", "postgresql+asyncpg"):
        url = scheme + "://" + database_url.split("://", 1)[1]
        status, lines = foodtour("check", env={"TOURISM_DATABASE_URL": url})
        assert status == 0, lines
        assert "ok: migrations at head" in "\n".join(lines)


# -- foodtour check ------------------------------------------------------------------------


def test_check_passes_on_a_migrated_database(database_url, seeded):
    status, lines = foodtour("check", env={"TOURISM_DATABASE_URL": database_url})
    assert status == 0, lines
    text = "\n".join(lines)
    assert "problem" not in text
    for needed in ("postgis", "pg_trgm", "unaccent", "btree_gist"):
        assert f"ok: extension {needed} installed" in text
    assert "ok: database reachable" in text
    assert "ok: migrations at head" in text
    # pgRouting is optional: when missing it is a note, never a problem
    assert all(line.startswith(("ok: ", "note: ")) for line in lines), text


def test_check_lists_each_problem_of_an_unmigrated_database(fresh_database):
    url = fresh_database("foodtour_unmigrated")  # PostGIS, pg_trgm, unaccent; no migrations
    status, lines = foodtour("check", env={"TOURISM_DATABASE_URL": url})
    assert status == 1, lines
    problems = [line for line in lines if line.startswith("problem: ")]
    assert problems == [
        "problem: extension btree_gist is not created in this database: run `foodtour migrate` "
        "(as a user allowed to CREATE EXTENSION)",
        "problem: the database is not migrated: run `foodtour migrate`",
    ], lines
    assert not any(line.startswith("ok: ") for line in lines)


def test_run_refuses_an_unmigrated_database(fresh_database):
    url = fresh_database("foodtour_unmigrated")
    status, lines = foodtour(*_command(["run"]), env={"TOURISM_DATABASE_URL": url})
    assert_short_failure(status, lines, "not migrated", "foodtour migrate")


def test_check_lists_production_problems(database_url, seeded):
    env = {
        "TOURISM_ENVIRONMENT": "production",
        "TOURISM_SECRET_KEY": "k" * 40,
        "TOURISM_DATABASE_URL": database_url,
        "TOURISM_PUBLIC_API_URL": "https://api.foodtour.haiphong.gov.vn",
    }
    status, lines = foodtour("check", env=env)
    assert status == 1
    problems = [line for line in lines if line.startswith("problem: ")]
    assert len(problems) == 2, lines
    assert "TOURISM_GBFS_FEED_CONTACT_EMAIL" in problems[0]
    assert "TOURISM_PUBLIC_WEB_URL is http://127.0.0.1:8000" in problems[1]
    env |= {
        "TOURISM_GBFS_FEED_CONTACT_EMAIL": "xedap@haiphong.gov.vn",
        "TOURISM_PUBLIC_WEB_URL": "https://foodtour.haiphong.gov.vn",
    }
    status, lines = foodtour("check", env=env)
    assert status == 0, lines
    assert "ok: configuration (production)" in lines


def test_secrets_never_appear_in_a_failure(database_url):
    """A bad value of a secret setting is not echoed back (logs keep what commands print)."""
    assert "secret_key" in SECRET_SETTINGS
    status, lines = foodtour(
        "check",
        env={"TOURISM_SECRET_KEY": "short-but-secret", "TOURISM_DATABASE_URL": database_url},
    )
    assert_short_failure(status, lines, "TOURISM_SECRET_KEY", "32")
    assert "short-but-secret" not in "\n".join(lines)


def test_run_serves_when_nothing_is_wrong(database_url, seeded):
    """The checks before serving pass a good configuration (postgres:// URL included)."""
    import httpx

    from tests.servers import serving

    url = "postgres://" + database_url.split("://", 1)[1]
    with serving({"TOURISM_DATABASE_URL": url, "TOURISM_ENVIRONMENT": "test"}) as base:
        assert httpx.get(f"{base}/readyz", timeout=5).status_code == 200
