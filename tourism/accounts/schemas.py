from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, ValidationInfo, field_validator

from tourism.accounts.passwords import strong_enough
from tourism.languages import say
from tourism.paging import Page, page_example
from tourism.schemas import LocalDatetime, StrictModel

MIN_PASSWORD = 10


Password = Annotated[
    str,
    Field(
        min_length=MIN_PASSWORD,
        max_length=128,
        description="10-128 characters, not only letters or digits, not one of the 10,000 most "
        "common passwords, not made of the e-mail's name",
    ),
]

TOURIST = {"email": "lan.nguyen@example.vn", "display_name": "Lan", "role": "tourist"}
VENDOR = {
    "id": 42,
    "email": "chu.quan@example.vn",
    "display_name": "Cô Hoa, bánh đa cua",
    "role": "vendor",
    "eatery_ids": [12, 15],
}
VENDOR_ADMIN = {**VENDOR, "is_active": True, "created_at": "2026-03-14T09:30:00+07:00"}


class UserCreate(StrictModel):
    """A tourist registering. Any other field (a role, say) is rejected, not ignored."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "email": "lan.nguyen@example.vn",
                    "password": "Banh-da-cua-2026",
                    "display_name": "Lan",
                }
            ]
        }
    )

    email: EmailStr = Field(description="The login; stored lower-cased, never shown publicly")
    password: Password
    display_name: str = Field(
        min_length=1,
        max_length=80,
        description="Shown publicly as the author of reviews; no '@'",
    )

    @field_validator("email")
    @classmethod
    def _lower(cls, email: str) -> str:
        return email.lower()

    @field_validator("display_name")
    @classmethod
    def _not_an_email(cls, display_name: str) -> str:
        # Shown publicly as the author of reviews: an e-mail address there would be published.
        if "@" in display_name:
            raise ValueError(
                say(
                    "must not contain '@': display names are public",
                    "không được chứa '@': tên hiển thị được công khai",
                )
            )
        return display_name

    @field_validator("password")
    @classmethod
    def _strong_enough(cls, password: str, info: ValidationInfo) -> str:
        return strong_enough(password, email=info.data.get("email") or "")


class StaffCreate(UserCreate):
    """An account an admin makes: a role other than tourist, and a vendor's eateries."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "email": "chu.quan@example.vn",
                    "password": "Quan-ngon-2026!",
                    "display_name": "Cô Hoa, bánh đa cua",
                    "role": "vendor",
                    "eatery_ids": [12, 15],
                }
            ]
        }
    )

    role: Literal["vendor", "moderator", "admin", "operator"] = Field(
        description="`operator`: the bike-share operator's account, which pushes station status"
    )
    eatery_ids: list[int] = Field(
        default_factory=list,
        max_length=200,
        description="Vendors only: the eateries the vendor may edit (422 for another role)",
    )


class VendorEateriesUpdate(StrictModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"eatery_ids": [12, 15]}]})

    eatery_ids: list[int] = Field(
        max_length=200, description="Exactly the eateries the vendor may edit; [] for none"
    )


class PasswordUpdate(StrictModel):
    """A logged-in account changing its own password."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"current_password": "Banh-da-cua-2026", "new_password": "Nem-cua-be-2027!"}
            ]
        }
    )

    # No password is longer than a new one may be: a longer one is wrong without hashing it.
    current_password: str = Field(min_length=1, max_length=128, description="The password now")
    new_password: Password

    @field_validator("new_password")
    @classmethod
    def _strong_enough(cls, password: str) -> str:
        # The rule of UserCreate; the part that needs the account's e-mail is checked by the
        # service (tourism.accounts.service.change_password).
        return strong_enough(password)


class AccountDelete(StrictModel):
    """Deleting one's own account: the password again, so a token left on a shared phone
    cannot do it."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"password": "Banh-da-cua-2026"}]})

    password: str = Field(min_length=1, max_length=128, description="The account's password")


class Registration(BaseModel):
    """The answer to a registration: the same whether the e-mail was free or taken (nothing
    is made then), so it tells nobody which addresses have accounts. Log in next."""

    model_config = ConfigDict(json_schema_extra={"examples": [TOURIST]})

    email: str
    display_name: str
    role: Literal["tourist"] = "tourist"


class UserPrivate(BaseModel):
    """The account, as its owner (or an admin) sees it."""

    model_config = ConfigDict(json_schema_extra={"examples": [VENDOR]})

    id: int
    email: str
    display_name: str
    role: str = Field(description="tourist, vendor, moderator, admin or operator")
    eatery_ids: list[int] = Field(description="The eateries a vendor may edit; [] for others")


class Token(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "access_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MiJ9.c2ln",
                    "token_type": "bearer",
                    "expires_in": 3600,
                }
            ]
        }
    )

    access_token: str = Field(description="Send it as `Authorization: Bearer <token>`")
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds")


class UserAdmin(BaseModel):
    """An account as the console's account list shows it to admins and moderators."""

    model_config = ConfigDict(json_schema_extra={"examples": [VENDOR_ADMIN]})

    id: int
    email: str
    display_name: str
    role: str
    is_active: bool = Field(description="false: disabled; it cannot log in")
    eatery_ids: list[int] = Field(description="The eateries a vendor may edit; [] for others")
    created_at: LocalDatetime


class UsersAdmin(Page[UserAdmin]):
    """A page of accounts, newest first; `total` counts every account that matches."""

    model_config = page_example(VENDOR_ADMIN, total=57)


class LoginForm(BaseModel):
    """The OAuth2 password grant (RFC 6749, 4.3), sent as `application/x-www-form-urlencoded`."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "grant_type": "password",
                    "username": "lan.nguyen@example.vn",
                    "password": "Banh-da-cua-2026",
                }
            ]
        }
    )

    grant_type: str | None = Field(
        default=None, pattern="^password$", description="`password`, or left out"
    )
    username: str = Field(max_length=320, description="The account's e-mail address, any case")
    password: str = Field(max_length=1024, description="The account's password")
    scope: str = Field(default="", max_length=1000, description="Ignored: tokens carry no scopes")
    client_id: str | None = Field(default=None, max_length=200, description="Ignored")
    client_secret: str | None = Field(default=None, max_length=200, description="Ignored")
