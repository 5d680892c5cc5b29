"""Keeping a database in shape: migrations, the seed data, development's demo accounts.

Used by the `foodtour` command, the tests and the benchmarks; above every domain.
"""

import secrets
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tourism.accounts import service as accounts
from tourism.accounts.models import User
from tourism.accounts.schemas import UserCreate
from tourism.config import PROJECT_ROOT, Settings
from tourism.eateries.models import Eatery


def migrate(url: str | None = None, revision: str = "head", *, down: bool = False) -> None:
    """Run Alembic against `url` (default: the configured database)."""
    from alembic.config import Config

    from alembic import command

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["url"] = url
    (command.downgrade if down else command.upgrade)(config, revision)


async def seed(settings: Settings, url: str | None = None) -> dict:
    from seeds.loader import load_seeds
    from tourism.database import run_in_transaction

    async def work(session):
        return await load_seeds(
            session, now=datetime.now(UTC), window_days=settings.open_window_days
        )

    return vars(await run_in_transaction(work, settings, url=url))


async def create_demo_accounts(session: AsyncSession) -> list[tuple[str, str, str]]:
    """One account per role with a fresh random password, when none exist yet (development).

    Returns (role, e-mail, password) of the accounts made, to be shown once.
    """
    if await session.scalar(select(func.count()).select_from(User)):
        return []
    first_eatery = await session.scalar(select(Eatery.id).order_by(Eatery.id).limit(1))
    made = []
    for role in ("tourist", "vendor", "moderator", "admin", "operator"):
        email, password = f"demo.{role}@example.com", secrets.token_urlsafe(12) + "-1a"
        data = UserCreate(email=email, password=password, display_name=f"Demo {role}")
        user = await accounts.create_user(session, data=data, role=role)
        if role == "vendor" and first_eatery:
            await accounts.assign_eateries(session, user_id=user.id, eatery_ids=[first_eatery])
        made.append((role, email, password))
    return made
