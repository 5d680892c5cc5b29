"""Accounts: creating them, logging in, passwords, disabling them, and which eateries a vendor
may edit.

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
it: a lock tells nothing about which e-mails are registered. Changing one's password counts the
current password typed like a login (`change_password`): a stolen token cannot guess it.
"""

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import aggregate_order_by, insert
from sqlalchemy.ext.asyncio import AsyncSession

from tourism.accounts.models import EateryVendor, User
from tourism.accounts.passwords import strong_enough
from tourism.accounts.schemas import PasswordUpdate, UserCreate
from tourism.accounts.security import create_access_token, hash_password, verify_password
from tourism.config import Settings
from tourism.database import flush, translating
from tourism.exceptions import Forbidden, InvalidInput, NotAuthenticated, NotFound
from tourism.languages import Message, say
from tourism.limits import service as limits
from tourism.limits.models import RateEvent
from tourism.paging import after as keyset_after

WRONG_LOGIN = say("wrong e-mail address or password", "sai địa chỉ e-mail hoặc mật khẩu")
NOT_CURRENT = say("this is not your current password", "đây không phải mật khẩu hiện tại của bạn")
SAME_PASSWORD = say("must differ from the current password", "phải khác mật khẩu hiện tại")
ACCOUNT_GONE = say(
    "the account no longer exists or is disabled",
    "tài khoản không còn tồn tại hoặc đã bị vô hiệu hóa",
)
TOKEN_ENDED = say(
    "this access token has been ended: log in again",
    "mã truy cập này đã bị thu hồi: hãy đăng nhập lại",
)
TOO_MANY_REGISTRATIONS = say(
    "too many accounts registered from this address",
    "có quá nhiều tài khoản được đăng ký từ địa chỉ này",
)
TOO_MANY_FROM_ADDRESS = say(
    "too many failed logins from this address",
    "có quá nhiều lần đăng nhập thất bại từ địa chỉ này",
)
TOO_MANY_FOR_ACCOUNT = say(
    "too many failed logins for this account",
    "có quá nhiều lần đăng nhập thất bại vào tài khoản này",
)
ONLY_VENDORS = say(
    "only vendor accounts are given eateries", "chỉ tài khoản chủ quán mới được giao quán ăn"
)
MODERATORS_TOURISTS_ONLY = say(
    "moderators may disable and enable tourist accounts only",
    "người kiểm duyệt chỉ được vô hiệu hóa và kích hoạt tài khoản khách du lịch",
)
NOT_YOURSELF = say(
    "you cannot disable or enable your own account",
    "bạn không thể tự vô hiệu hóa hoặc kích hoạt tài khoản của mình",
)


def no_user(user_id: int) -> Message:
    return say(f"no user with id {user_id}", f"không tìm thấy tài khoản có mã {user_id}")


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


async def register(session: AsyncSession, *, data: UserCreate) -> None:
    """Create a tourist account, unless one has this e-mail: then nothing happens, silently.

    The answer must not tell whether an address is registered, so both ways cost the same:
    the password is hashed, and one INSERT runs (ON CONFLICT DO NOTHING). The owner of the
    address logs in as before; anyone else's login with it fails as any wrong password does.
    """
    password_hash = await hash_password(data.password)
    await session.execute(
        insert(User)
        .values(
            email=data.email.lower(),
            display_name=data.display_name,
            password_hash=password_hash,
            role="tourist",
        )
        .on_conflict_do_nothing(index_elements=[User.email])
    )


async def count_registration(
    session: AsyncSession, *, address: str, settings: Settings, now: datetime
) -> None:
    """Count a registration from this client address, or raise RateLimited."""
    bucket = limits.address_bucket("register", address, settings.secret_key.get_secret_value())
    await limits.spend(
        session,
        buckets={bucket: settings.registrations_per_address_hour},
        now=now,
        message=TOO_MANY_REGISTRATIONS,
    )


def _by_account(email: str, secret: str) -> str:
    """The bucket of this account's failed logins: `login:account:<keyed hash of the e-mail>`."""
    return limits.keyed_bucket("login", "account", email, secret)


def _known(email: str, address: str, secret: str) -> str:
    """The bucket remembering when this account last proved its password from this address.

    Named `login:known:<the account's hash>:<hash of e-mail and address>`, so that deleting
    the account finds every one of them (`forget_logins`) without knowing the addresses.
    """
    account = _by_account(email, secret).rpartition(":")[2]
    return limits.keyed_bucket("login", f"known:{account}", f"{email}\n{address}", secret)


async def forget_logins(session: AsyncSession, *, email: str, settings: Settings) -> int:
    """Delete every rate-limit row named after this e-mail (failed logins, known addresses)."""
    by_account = _by_account(email, settings.secret_key.get_secret_value())
    known = "login:known:" + by_account.rpartition(":")[2] + ":%"
    forgotten = await session.execute(
        delete(RateEvent).where((RateEvent.bucket == by_account) | RateEvent.bucket.like(known))
    )
    return forgotten.rowcount


async def _count_attempt(
    session: AsyncSession, *, email: str, address: str, settings: Settings, now: datetime
) -> list[int]:
    """Count a password attempt for the address and the account (module docstring), or raise
    RateLimited; the events counted, for `_forgive`."""
    secret = settings.secret_key.get_secret_value()
    window = timedelta(minutes=settings.login_window_minutes)
    by_address = limits.address_bucket("login", address, secret)
    counted = await limits.spend(
        session,
        buckets={by_address: settings.login_failures_per_address},
        now=now,
        window=window,
        message=TOO_MANY_FROM_ADDRESS,
    )
    known_since = now - timedelta(days=settings.login_known_address_days)
    known = _known(email, address, secret)
    if not await limits.noted_since(session, bucket=known, since=known_since):
        by_account = _by_account(email, secret)
        counted += await limits.spend(
            session,
            buckets={by_account: settings.login_failures_per_account},
            now=now,
            window=window,
            message=TOO_MANY_FOR_ACCOUNT,
        )
    return counted


async def _forgive(
    session: AsyncSession,
    counted: list[int],
    *,
    email: str,
    address: str,
    settings: Settings,
    now: datetime,
) -> None:
    """The password was right: take the attempt back and remember the address as known."""
    await limits.refund(session, counted)
    known = _known(email, address, settings.secret_key.get_secret_value())
    await limits.note(session, bucket=known, now=now)


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
    counted = await _count_attempt(
        session, email=email, address=address, settings=settings, now=now
    )
    user = await session.scalar(select(User).where(User.email == email))
    # Counted whatever the password turns out to be; and no connection waits on the check.
    await session.commit()
    matches = await verify_password(password, user.password_hash if user else None)
    if not matches or not user.is_active:
        raise NotAuthenticated(WRONG_LOGIN)
    await _forgive(session, counted, email=email, address=address, settings=settings, now=now)
    await session.commit()
    return create_access_token(
        user_id=user.id, version=user.token_version, settings=settings, now=now
    )


async def change_password(
    session: AsyncSession,
    *,
    user: User,
    data: PasswordUpdate,
    address: str,
    settings: Settings,
    now: datetime,
) -> None:
    """Set the account's own password; every token issued before (every session) ends.

    The current password typed is counted like a login, in its own transaction committed
    before it is checked, and taken back when right; commits the change.
    """
    try:  # the rule's part that needs the account (PasswordUpdate checked the rest)
        strong_enough(data.new_password, email=user.email)
    except ValueError as exc:
        raise InvalidInput("new_password", exc.args[0]) from exc
    if data.new_password == data.current_password:
        raise InvalidInput("new_password", SAME_PASSWORD)
    user_id, email, old_hash = user.id, user.email, user.password_hash
    counted = await _count_attempt(
        session, email=email, address=address, settings=settings, now=now
    )
    await session.commit()
    if not await verify_password(data.current_password, old_hash):
        raise InvalidInput("current_password", NOT_CURRENT)
    await _forgive(session, counted, email=email, address=address, settings=settings, now=now)
    new_hash = await hash_password(data.new_password)
    changed = await session.scalar(
        update(User)
        # Another change (or disabling) that came first wins: the password checked is not
        # current any more, or the account may not change anything.
        .where(User.id == user_id, User.password_hash == old_hash, User.is_active)
        .values(password_hash=new_hash, token_version=User.token_version + 1)
        .returning(User.id)
    )
    if changed is None:
        await session.rollback()
        raise InvalidInput("current_password", NOT_CURRENT)
    await session.commit()


async def confirm_password(
    session: AsyncSession,
    *,
    user: User,
    password: str,
    field: str,
    address: str,
    settings: Settings,
    now: datetime,
) -> None:
    """Check the account's own password before a grave change, counted like a login.

    The attempt is counted and committed before the check (a stolen token cannot guess the
    password), taken back when right; a wrong one is InvalidInput naming `field`.
    """
    email, password_hash = user.email, user.password_hash
    counted = await _count_attempt(
        session, email=email, address=address, settings=settings, now=now
    )
    await session.commit()
    if not await verify_password(password, password_hash):
        raise InvalidInput(field, NOT_CURRENT)
    await _forgive(session, counted, email=email, address=address, settings=settings, now=now)


async def active_user(session: AsyncSession, user_id: int, version: int = 0) -> User:
    """The account a token names, if it is active and the token carries its current version."""
    user = await session.get(User, user_id)
    if user is None or not user.is_active:
        raise NotAuthenticated(ACCOUNT_GONE)
    if user.token_version != version:
        raise NotAuthenticated(TOKEN_ENDED)
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
        raise NotFound(no_user(user_id))
    if user.role != "vendor":
        raise InvalidInput("eatery_ids", ONLY_VENDORS)
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


# -- the console: the account list, disabling and enabling ----------------------------------


def _admin_row(user: User, eatery_ids: list[int] | None) -> dict:
    return {
        "id": user.id,
        "email": user.email,
        "display_name": user.display_name,
        "role": user.role,
        "is_active": user.is_active,
        "eatery_ids": list(eatery_ids or []),
        "created_at": user.created_at,
    }


def _contains(text: str) -> str:
    """An ILIKE pattern matching `text` anywhere, its `%`, `_` and `\\` taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def list_users(
    session: AsyncSession,
    *,
    q: str | None,
    role: str | None,
    active: bool | None,
    limit: int,
    after: tuple[datetime, int] | None = None,
    offset: int = 0,
) -> tuple[list[dict], int]:
    """Accounts newest first ((created_at, id) descending), `limit` of them and one more (to
    know whether a page follows): after the keyset `after`, or the old `offset`
    (tourism.paging); and how many match in all.

    `q` is a part of the e-mail or of the display name, in any case.
    """
    matching = select(User.id)
    if q:
        pattern = _contains(q)
        matching = matching.where(User.email.ilike(pattern) | User.display_name.ilike(pattern))
    if role:
        matching = matching.where(User.role == role)
    if active is not None:
        matching = matching.where(User.is_active.is_(active))
    count = await session.scalar(select(func.count()).select_from(matching.subquery()))
    eatery_ids = (
        select(func.array_agg(aggregate_order_by(EateryVendor.eatery_id, EateryVendor.eatery_id)))
        .where(EateryVendor.user_id == User.id)
        .scalar_subquery()
    )
    query = (
        select(User, eatery_ids)
        .where(User.id.in_(matching))
        .order_by(User.created_at.desc(), User.id.desc())
        .limit(limit + 1)
    )
    if after is not None:
        query = query.where(keyset_after([(User.created_at, True), (User.id, True)], after))
    elif offset:
        query = query.offset(offset)
    rows = await session.execute(query)
    return [_admin_row(user, ids) for user, ids in rows], count or 0


async def admin_view(session: AsyncSession, user: User) -> dict:
    return _admin_row(user, await eatery_ids_of(session, user.id))


async def set_active(
    session: AsyncSession, *, user_id: int, active: bool, actor: User
) -> tuple[User, dict | None]:
    """Disable or enable an account: the account, and what changed (None: nothing did).

    Admins may do it to any account but their own (InvalidInput naming `user_id`); moderators
    to tourist accounts only (Forbidden). Disabling also moves the token version: the account's
    tokens stop working now and stay ended when it is enabled again. The account's row is
    locked, so a password change or a second admin waits.
    """
    user = await session.scalar(
        select(User)
        .where(User.id == user_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if user is None:
        raise NotFound(no_user(user_id))
    if actor.role != "admin" and user.role != "tourist":
        raise Forbidden(MODERATORS_TOURISTS_ONLY)
    if user.id == actor.id:
        raise InvalidInput("user_id", NOT_YOURSELF)
    if user.is_active == active:
        return user, None
    user.is_active = active
    if not active:
        user.token_version += 1
    await session.flush()
    return user, {"is_active": active}
