"""Deleting one's own account (Vietnam's Decree 13/2023 on personal data): above accounts,
reviews and the audit log, which it changes in one transaction."""

from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tourism.accounts import service as accounts
from tourism.accounts.models import User
from tourism.audit import service as audit
from tourism.config import Settings
from tourism.exceptions import Conflict, InvalidInput
from tourism.languages import say
from tourism.limits.models import RateEvent
from tourism.locks import hold_named
from tourism.reviews.models import Review, ReviewFlag
from tourism.reviews.service import PUBLIC

LAST_ADMIN = say(
    "the last admin account cannot be deleted: make another admin first",
    "không thể xóa tài khoản quản trị cuối cùng: hãy tạo một quản trị viên khác trước",
)


async def _other_admins(session: AsyncSession, user_id: int) -> int:
    return await session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role == "admin", User.is_active, User.id != user_id)
    )


async def delete_account(
    session: AsyncSession,
    *,
    user: User,
    password: str,
    address: str,
    settings: Settings,
    now: datetime,
) -> dict:
    """Delete the account and its personal data; what became of its reviews.

    Gone: the e-mail, display name, password hash, the rate-limit rows named after the account
    (failed logins, known addresses, reviews counted), its reviews that were never public
    (pending, rejected, removed) and the eateries a vendor managed. Kept with no author: its
    public reviews (approved or flagged; the ratings do not move) and its reports of other
    reviews; kept with no actor: the audit entries and moderation decisions it made. Every
    token dies with the row. The last active admin cannot go (Conflict): the city would be
    left with nobody to make another.

    The password is checked like a login (`accounts.confirm_password`, which commits the
    count); the deletion is one transaction, committed here, audited without the e-mail.
    """
    user_id, role, email, password_hash = user.id, user.role, user.email, user.password_hash
    if role == "admin" and not await _other_admins(session, user_id):
        raise Conflict(LAST_ADMIN)
    await accounts.confirm_password(
        session,
        user=user,
        password=password,
        field="password",
        address=address,
        settings=settings,
        now=now,
    )
    if role == "admin":
        await hold_named(session, "accounts:admins")  # two admins deleting at once: one waits
        if not await _other_admins(session, user_id):
            raise Conflict(LAST_ADMIN)
    locked = await session.scalar(
        select(User.id)
        .where(User.id == user_id, User.password_hash == password_hash)
        .with_for_update()
    )
    if locked is None:  # the password changed (or the account went) since it was checked
        await session.rollback()
        raise InvalidInput("password", accounts.NOT_CURRENT)
    dropped = await session.scalars(
        delete(Review)
        .where(Review.user_id == user_id, Review.status.not_in(PUBLIC))
        .returning(Review.id)
    )
    dropped_ids = list(dropped)
    kept = await session.scalars(
        update(Review).where(Review.user_id == user_id).values(user_id=None).returning(Review.id)
    )
    kept_ids = list(kept)
    await session.execute(
        update(ReviewFlag).where(ReviewFlag.user_id == user_id).values(user_id=None)
    )
    await accounts.forget_logins(session, email=email, settings=settings)
    await session.execute(delete(RateEvent).where(RateEvent.bucket == f"review:user:{user_id}"))
    result = {"reviews_kept": len(kept_ids), "reviews_deleted": len(dropped_ids)}
    await audit.record(
        session,
        actor_id=None,  # the actor is the account itself, gone with this transaction
        action="user.delete",
        entity="user",
        entity_id=user_id,
        before={"role": role},
        after=result,
    )
    await session.execute(delete(User).where(User.id == user_id))
    await session.commit()
    return result
