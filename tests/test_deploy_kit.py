"""The deployment kit, checked as far as this machine allows (it has no Docker engine): the
Dockerfile copies what exists and runs as a user, the compose file and the systemd unit name
only settings the app has, and systemd accepts the unit."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tourism.bikeshare.config import GbfsSettings
from tourism.config import Settings

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
UNIT = (ROOT / "deploy" / "foodtour.service").read_text(encoding="utf-8")
# Read by the image's start command, not by the app: the number of workers.
NOT_SETTINGS = {"TOURISM_WORKERS"}


def known_variables() -> set[str]:
    names = set()
    for model in (Settings, GbfsSettings):
        prefix = model.model_config.get("env_prefix", "")
        names |= {f"{prefix}{field}".upper() for field in model.model_fields}
    return names | {f"{name}_FILE" for name in names}


def test_the_dockerfile_builds_in_stages_and_runs_as_a_user():
    stages = re.findall(r"^FROM \S+(?: AS (\w+))?$", DOCKERFILE, flags=re.M)
    assert len(stages) == 3 and stages[:2] == ["web", "python"]
    user = re.findall(r"^USER (\S+)$", DOCKERFILE, flags=re.M)
    assert user and user[-1] not in ("root", "0")
    assert "HEALTHCHECK" in DOCKERFILE and "/readyz" in DOCKERFILE
    # every COPY from the build context names something in the repository
    for sources in re.findall(r"^COPY (?!--from)(.+) \S+$", DOCKERFILE, flags=re.M):
        for source in sources.split():
            assert (ROOT / source).exists(), source
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".venv", "secrets", ".git", "web/node_modules"} <= set(ignored)


def test_the_start_command_uses_commands_the_cli_has():
    from click.testing import CliRunner

    from tourism.cli import main

    listed = CliRunner().invoke(main, ["--help"]).output
    commands = re.findall(r"(?:bin/|exec |\")foodtour (\w+)", DOCKERFILE + UNIT)
    assert {"migrate", "run", "check"} <= set(commands)
    for command in commands:
        assert f"  {command} " in listed, command


def test_compose_runs_postgis_the_app_and_a_proxy_with_secrets_from_files():
    services = COMPOSE["services"]
    assert services["db"]["image"].startswith("postgis/postgis:")
    app = services["app"]
    assert "TOURISM_SECRET_KEY" not in app["environment"]  # only its _FILE
    assert app["environment"]["TOURISM_SECRET_KEY_FILE"].startswith("/run/secrets/")
    assert set(COMPOSE["secrets"]) == {"db_password", "secret_key"}
    assert services["proxy"]["image"].startswith("caddy:")


def test_every_setting_the_kit_names_is_one_the_app_reads():
    named = set(COMPOSE["services"]["app"]["environment"])
    named |= set(re.findall(r"\b(TOURISM_[A-Z0-9_]+)=", UNIT))
    unknown = named - known_variables() - NOT_SETTINGS
    assert not unknown, f"the kit sets what the app never reads: {sorted(unknown)}"


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="no systemd-analyze here")
def test_systemd_accepts_the_unit(tmp_path):
    # the unit as installed, its commands pointed at ones that exist on this machine
    unit = tmp_path / "foodtour.service"
    unit.write_text(UNIT.replace("/opt/foodtour/.venv/bin/foodtour", shutil.which("true")))
    done = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60
    )
    problems = [
        line
        for line in (done.stdout + done.stderr).splitlines()
        if "foodtour.service" in line and "/etc/foodtour" not in line
    ]
    assert problems == [], problems
