from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Identity,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from tourism.database import Base, Timestamps, check_in
from tourism.exceptions import on_violation
from tourism.languages import say

ROLES = ("tourist", "vendor", "moderator", "admin", "operator")
# The display name of an account made without one. Display names are public (a review's author),
# so the default is never the e-mail address.
ROLE_TITLES = {
    "tourist": "Visitor",
    "vendor": "Vendor",
    "moderator": "Moderator",
    "admin": "Administrator",
    "operator": "Bike-share operator",
}


class User(Timestamps, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    # Stored lower-cased: one account per address however it is typed.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    # Public: never an e-mail address (the check refuses any "@").
    display_name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), server_default="tourist")
    is_active: Mapped[bool] = mapped_column(Boolean, server_default="true")
    # Named by every access token it issues (`ver`); moved by a password change and by disabling
    # the account, which ends every token issued before (tourism.accounts.security).
    token_version: Mapped[int] = mapped_column(Integer, server_default="0")

    __table_args__ = (
        check_in("role", ROLES),
        CheckConstraint("email = lower(email)", name="email_lower"),
        CheckConstraint("strpos(display_name, '@') = 0", name="display_name_not_email"),
    )


class EateryVendor(Base):
    """Which vendor accounts may edit which eateries."""

    __tablename__ = "eatery_vendors"

    eatery_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("eateries.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )


on_violation(
    "uq_users_email",
    say("an account with this e-mail address exists", "đã có tài khoản dùng địa chỉ e-mail này"),
    field="email",
    detail=say("already registered", "đã được đăng ký"),
)
on_violation(
    "fk_eatery_vendors_eatery_id_eateries",
    say("no eatery has one of these ids", "không có quán ăn nào mang một trong các mã này"),
    field="eatery_ids",
    conflict=False,
)
