"""Schemathesis over every operation of the OpenAPI document, against a real server, as each
kind of caller: no generated request may get a 5xx, and every answer must be what the document
says: a status it lists, its content type, a body that validates against its schema, and the
headers it documents.

`make test` runs a few examples per operation and caller; `make test-contract` (run by CI)
runs many more (FOODTOUR_FUZZ_EXAMPLES). The server has a database of its own, since fuzzed
writes (codes, reviews, menus) would change what other tests read.
"""

import asyncio
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, TEST_SECRET
from tests.helpers import make_eatery
from tests.servers import serving
from tourism.accounts.schemas import UserCreate
from tourism.accounts.security import create_access_token
from tourism.accounts.service import assign_eateries, create_user
from tourism.config import Settings
from tourism.database import create_engine, create_session_factory
from tourism.maintenance import migrate, seed

ROOT = Path(__file__).resolve().parents[2]
# A quick pass by default; `make test-contract` sets both for the full run.
EXAMPLES = int(os.environ.get("FOODTOUR_FUZZ_EXAMPLES", "3"))
PHASES = os.environ.get("FOODTOUR_FUZZ_PHASES", "examples,fuzzing")
ARTIFACTS = ROOT / "tests" / "artifacts" / "contract"
CALLERS = ("anonymous", "tourist", "vendor", "moderator", "admin", "operator")
CHECKS = ",".join(
    (
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "response_headers_conformance",
    )
)
# A full run (`make test-contract`, CI) generates at least this many requests in all.
FULL_RUN_REQUESTS = 2_000


async def _tokens(settings: Settings) -> dict[str, str]:
    engine = create_engine(settings)
    sessions = create_session_factory(engine)
    try:
        async with sessions() as session:
            eatery = await make_eatery(
                session,
                slug="fuzz-vendor-eatery",
                lat=20.70,
                lon=106.56,
                hours="Mo-Su 06:00-22:00",
                menu=[("banh-da-cua", 40000)],
            )
        async with sessions() as session, session.begin():
            ids = {}
            for role in CALLERS[1:]:
                data = UserCreate(
                    email=f"fuzz-{role}@example.vn", password=PASSWORD, display_name=role.title()
                )
                ids[role] = (await create_user(session, data=data, role=role)).id
            await assign_eateries(session, user_id=ids["vendor"], eatery_ids=[eatery])
    finally:
        await engine.dispose()
    now = datetime.now(UTC)
    return {
        role: create_access_token(user_id=user_id, settings=settings, now=now)[0]
        for role, user_id in ids.items()
    }


@pytest.fixture(scope="module")
def fuzzed_server(fresh_database):
    """`foodtour run` on a seeded database of its own; the base URL and a token per role."""
    url = fresh_database("foodtour_fuzz")
    migrate(url)
    settings = Settings(database_url=url, environment="test", secret_key=TEST_SECRET)
    asyncio.run(seed(settings, url))
    tokens = asyncio.run(_tokens(settings))
    env = {
        "TOURISM_DATABASE_URL": url,
        "TOURISM_ENVIRONMENT": "test",
        "TOURISM_SECRET_KEY": TEST_SECRET,
    }
    with serving(env) as base:
        yield base, tokens


# schemathesis's CLI, without hypothesis reading lambdas' source: describing a strategy's lambda
# parses its module with `ast`, and deep in the coverage phase CPython 3.11 can report that as
# a SystemError ("AST constructor recursion depth mismatch"), a runtime error of the run, not of
# our server. The descriptions only name strategies in hypothesis's own reports.
SCHEMATHESIS = """
import sys, threading
sys.setrecursionlimit(20_000)
threading.stack_size(512 * 1024 * 1024)
import hypothesis.internal.lambda_sources as lambda_sources
lambda_sources._lambda_description = lambda f, *args, **kwargs: "lambda: <unknown>"
from schemathesis.cli import schemathesis
sys.argv[0] = "schemathesis"
sys.exit(schemathesis())
"""


@pytest.mark.parametrize("caller", CALLERS)
def test_every_generated_request_gets_what_the_document_says(fuzzed_server, caller, tmp_path):
    base, tokens = fuzzed_server
    command = [
        sys.executable,
        "-c",
        SCHEMATHESIS,
        "run",
        f"{base}/openapi.json",
        "--checks",
        CHECKS,
        "--max-examples",
        str(EXAMPLES),
        "--phases",
        PHASES,
        "--seed",
        "20261201",
        "--workers",
        "2",
        "--request-timeout",
        "20",
        "--no-color",
        "--report",
        "ndjson",
        "--report-dir",
        str(tmp_path),
    ]
    if caller != "anonymous":
        command += ["--header", f"Authorization: Bearer {tokens[caller]}"]
    run = subprocess.run(command, capture_output=True, text=True, timeout=1800, cwd=tmp_path)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{caller}.txt").write_text(run.stdout + run.stderr)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    selected = re.search(r"Selected: (\d+)/(\d+)", run.stdout)
    tested = re.search(r"Tested: (\d+)", run.stdout)
    cases = re.search(r"(\d+) generated, (\d+) passed", run.stdout)
    assert selected and tested and cases, run.stdout[-3000:]
    assert selected[1] == selected[2] == tested[1], "every operation is tested"
    assert int(tested[1]) >= 50
    assert cases[1] == cases[2] and int(cases[1]) >= int(tested[1]) * EXAMPLES // 2
    if EXAMPLES >= 15:  # the full run: at least FULL_RUN_REQUESTS over the callers
        assert int(cases[1]) * len(CALLERS) >= FULL_RUN_REQUESTS
