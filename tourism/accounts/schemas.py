from typing import Literal

from pydantic import BaseModel, EmailStr, Field, ValidationInfo, field_validator

from tourism.schemas import StrictModel

MIN_PASSWORD = 10
# The most common passwords that pass the length rule; a real list would be longer.
COMMON_PASSWORDS = {"1234567890", "qwertyuiop", "password123", "1q2w3e4r5t", "matkhau123"}


class UserCreate(StrictModel):
    """A tourist registering. Any other field (a role, say) is rejected, not ignored."""

    email: EmailStr
    password: str = Field(min_length=MIN_PASSWORD, max_length=128)
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
        if password.lower() in COMMON_PASSWORDS:
            raise ValueError("too common")
        if password.isalpha() or password.isdigit():
            raise ValueError("mix letters with digits or symbols")
        email = info.data.get("email") or ""
        if email and email.split("@")[0] in password.lower():
            raise ValueError("must not contain the name of the e-mail address")
        return password


class StaffCreate(UserCreate):
    role: Literal["vendor", "moderator", "admin", "operator"]
    eatery_ids: list[int] = Field(default_factory=list, max_length=200)


class VendorEateriesUpdate(StrictModel):
    eatery_ids: list[int] = Field(max_length=200)


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
