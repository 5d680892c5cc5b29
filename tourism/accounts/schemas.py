from typing import Annotated, Literal

from pydantic import BaseModel, EmailStr, Field, ValidationInfo, field_validator

from tourism.accounts.passwords import strong_enough
from tourism.schemas import LocalDatetime, StrictModel

MIN_PASSWORD = 10


Password = Annotated[str, Field(min_length=MIN_PASSWORD, max_length=128)]


class UserCreate(StrictModel):
    """A tourist registering. Any other field (a role, say) is rejected, not ignored."""

    email: EmailStr
    password: Password
    display_name: str = Field(min_length=1, max_length=80)

    @field_validator("email")
    @classmethod
    def _lower(cls, email: str) -> str:
        return email.lower()

    @field_validator("display_name")
    @classmethod
    def _not_an_email(cls, display_name: str) -> str:
        # Shown publicly as the author of reviews: an e-mail address there would be published.
        if "@" in display_name:
            raise ValueError("must not contain '@': display names are public")
        return display_name

    @field_validator("password")
    @classmethod
    def _strong_enough(cls, password: str, info: ValidationInfo) -> str:
        return strong_enough(password, email=info.data.get("email") or "")


class StaffCreate(UserCreate):
    role: Literal["vendor", "moderator", "admin", "operator"]
    eatery_ids: list[int] = Field(default_factory=list, max_length=200)


class VendorEateriesUpdate(StrictModel):
    eatery_ids: list[int] = Field(max_length=200)


class PasswordUpdate(StrictModel):
    """A logged-in account changing its own password."""

    # No password is longer than a new one may be: a longer one is wrong without hashing it.
    current_password: str = Field(min_length=1, max_length=128)
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

    password: str = Field(min_length=1, max_length=128)


class Registration(BaseModel):
    """The answer to a registration: the same whether the e-mail was free or taken (nothing
    is made then), so it tells nobody which addresses have accounts. Log in next."""

    email: str
    display_name: str
    role: Literal["tourist"] = "tourist"


class UserPrivate(BaseModel):
    """The account, as its owner (or an admin) sees it."""

    id: int
    email: str
    display_name: str
    role: str
    eatery_ids: list[int]


class Token(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds")


class UserAdmin(BaseModel):
    """An account as the console's account list shows it to admins and moderators."""

    id: int
    email: str
    display_name: str
    role: str
    is_active: bool
    eatery_ids: list[int] = Field(description="The eateries a vendor may edit; [] for others")
    created_at: LocalDatetime


class UsersAdmin(BaseModel):
    items: list[UserAdmin]
    count: int = Field(description="Every account that matches, not only this page")
