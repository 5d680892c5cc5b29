"""Accounts: creating them, logging in, and which eateries a vendor may edit.

Password guessing meets two limits on failed logins in a sliding window (defaults in Settings:
30 per client address and 10 per account in 15 minutes). Every attempt counts as a failure, in a
transaction of its own committed before the password is checked; one that succeeds takes its
count back. No one can lock an owner out for long:

- a lock lifts by itself as its oldest failure leaves the window (`Retry-After` says when), and
  attempts refused while locked are not counted, so hammering does not prolong it;
- the account's lock does not hold an address the account logged in from in the last 30 days
  (there, only the address's own limit applies): guessing from elsewhere cannot shut the owner
  out of their usual network;
- keeping an account locked costs an address 10 of its own 30 failures every 15 minutes.

The account's count is keyed by the e-mail as typed (lower-cased), whether or not an account has
it: a lock tells nothing about which e-mails are registered.
"""

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tourism.accounts.models import EateryVendor, User
from tourism.accounts.schemas import UserCreate
from tourism.accounts.security import create_access_token, hash_password, verify_password
from tourism.config import Settings
from tourism.database import flush, translating
from tourism.exceptions import InvalidInput, NotAuthenticated, NotFound
from tourism.limits import service as limits


async def create_user(session: AsyncSession, *, data: UserCreate, role: str = "tourist") -> User:
    user = User(
        email=data.email.lower(),
        display_name=data.display_name,
        password_hash=await hash_password(data.password),
        role=role,
    )
    session.add(user)
    await flush(session)
    return user


async def count_registration(
    session: AsyncSession, *, address: str, settings: Settings, now: datetime
) -> None:
    """Count a registration from this client address, or raise RateLimited."""
    bucket = limits.address_bucket("register", address, settings.secret_key.get_secret_value())
    await limits.spend(
        session,
        buckets={bucket: settings.registrations_per_address_hour},
        now=now,
        message="too many accounts registered from this address",
    )


async def login(
    session: AsyncSession,
    *,
    email: str,
    password: str,
    address: str,
    settings: Settings,
    now: datetime,
) -> tuple[str, int]:
    """An access token for these credentials; one message for every way they can be wrong.

    Commits: the attempt is counted (module docstring) in its own transaction, before the
    password is checked, and taken back in another once it succeeds.
    """
    email = email.strip().lower()
    secret = settings.secret_key.get_secret_value()
    by_address = limits.address_bucket("login", address, secret)
    by_account = limits.keyed_bucket("login", "account", email, secret)
    known = limits.keyed_bucket("login", "known", f"{email}\n{address}", secret)
    window = timedelta(minutes=settings.login_window_minutes)
    counted = await limits.spend(
        session,
        buckets={by_address: settings.login_failures_per_address},
        now=now,
        window=window,
        message="too many failed logins from this address",
    )
    known_since = now - timedelta(days=settings.login_known_address_days)
    if not await limits.noted_since(session, bucket=known, since=known_since):
        counted += await limits.spend(
            session,
            buckets={by_account: settings.login_failures_per_account},
            now=now,
            window=window,
            message="too many failed logins for this account",
        )
    user = await session.scalar(select(User).where(User.email == email))
    # Counted whatever the password turns out to be; and no connection waits on the check.
    await session.commit()
    matches = await verify_password(password, user.password_hash if user else None)
    if not matches or not user.is_active:
        raise NotAuthenticated("wrong e-mail address or password")
    await limits.refund(session, counted)
    await limits.note(session, bucket=known, now=now)
    await session.commit()
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
    await session.execute(delete(EateryVendor).where(EateryVendor.user_id == user_id))
    if wanted:
        async with translating():  # an unknown eatery id: fk_eatery_vendors_eatery_id_eateries
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
