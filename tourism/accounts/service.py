"""Accounts: creating them, logging in, and which eateries a vendor may edit."""

import secrets
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tourism.accounts.models import EateryVendor, User
from tourism.accounts.schemas import UserCreate
from tourism.accounts.security import create_access_token, hash_password, verify_password
from tourism.config import Settings
from tourism.eateries.models import Eatery
from tourism.exceptions import Conflict, InvalidInput, NotAuthenticated, NotFound


async def create_user(session: AsyncSession, *, data: UserCreate, role: str = "tourist") -> User:
    user = User(
        email=data.email.lower(),
        display_name=data.display_name,
        password_hash=hash_password(data.password),
        role=role,
    )
    session.add(user)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict(
            "an account with this e-mail address exists",
            details=[{"field": "email", "message": "already registered"}],
        ) from exc
    return user


async def login(
    session: AsyncSession, *, email: str, password: str, settings: Settings, now: datetime
) -> tuple[str, int]:
    """An access token for these credentials; one message for every way they can be wrong."""
    user = await session.scalar(select(User).where(User.email == email.strip().lower()))
    if not verify_password(password, user.password_hash if user else None) or not user.is_active:
        raise NotAuthenticated("wrong e-mail address or password")
    return create_access_token(user_id=user.id, settings=settings, now=now)


async def active_user(session: AsyncSession, user_id: int) -> User:
    user = await session.get(User, user_id)
    if user is None or not user.is_active:
        raise NotAuthenticated("the account no longer exists or is disabled")
    return user


async def eatery_ids_of(session: AsyncSession, user_id: int) -> list[int]:
    rows = await session.scalars(
        select(EateryVendor.eatery_id)
        .where(EateryVendor.user_id == user_id)
        .order_by(EateryVendor.eatery_id)
    )
    return list(rows)


async def assign_eateries(session: AsyncSession, *, user_id: int, eatery_ids: list[int]) -> User:
    """Make `eatery_ids` exactly the eateries this vendor may edit."""
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user with id {user_id}")
    if user.role != "vendor":
        raise InvalidInput("eatery_ids", "only vendor accounts are given eateries")
    wanted = set(eatery_ids)
    found = set(await session.scalars(select(Eatery.id).where(Eatery.id.in_(wanted))))
    if missing := sorted(wanted - found):
        raise InvalidInput("eatery_ids", f"no eateries with ids {missing}")
    await session.execute(delete(EateryVendor).where(EateryVendor.user_id == user_id))
    if wanted:
        await session.execute(
            insert(EateryVendor),
            [{"user_id": user_id, "eatery_id": eatery_id} for eatery_id in sorted(wanted)],
        )
    return user


async def private_view(session: AsyncSession, user: User) -> dict:
    return {
        "id": user.id,
        "email": user.email,
        "display_name": user.display_name,
        "role": user.role,
        "eatery_ids": await eatery_ids_of(session, user.id),
    }


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
        user = await create_user(session, data=data, role=role)
        if role == "vendor" and first_eatery:
            await assign_eateries(session, user_id=user.id, eatery_ids=[first_eatery])
        made.append((role, email, password))
    return made
