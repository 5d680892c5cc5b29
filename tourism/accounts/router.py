from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from fastapi.security import OAuth2PasswordRequestForm

from tourism.accounts import service
from tourism.accounts.dependencies import AdminUser, CurrentUser
from tourism.accounts.models import ROLES
from tourism.accounts.schemas import (
    PasswordUpdate,
    Registration,
    StaffCreate,
    Token,
    UserCreate,
    UserPrivate,
    UsersAdmin,
    VendorEateriesUpdate,
)
from tourism.dependencies import (
    ClientAddressDep,
    IdPath,
    LimitQuery,
    NowDep,
    OffsetQuery,
    SessionDep,
    SettingsDep,
)
from tourism.exceptions import DomainError

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class NoStoreRoute(APIRoute):
    """A route whose every answer, error or not, no cache may keep (RFC 6749, 5.1)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        answer = super().get_route_handler()

        async def answer_not_stored(request: Request) -> Response:
            try:
                response = await answer(request)
            except (DomainError, RequestValidationError) as exc:
                # Rendered here by the app's own handler, so that errors carry the headers too.
                kind = DomainError if isinstance(exc, DomainError) else RequestValidationError
                response = await request.app.exception_handlers[kind](request, exc)
            response.headers.update(NO_STORE)
            return response

        return answer_not_stored


# Every /auth answer carries a token or the account's private view (its e-mail).
auth = APIRouter(prefix="/auth", tags=["accounts"], route_class=NoStoreRoute)
admin = APIRouter(prefix="/admin", tags=["administration"])


@auth.post(
    "/register",
    response_model=Registration,
    status_code=status.HTTP_201_CREATED,
    summary="Create a tourist account, then log in",
    description=(
        "201 with the same answer whether the e-mail was free or already has an account: "
        "then nothing is created, and logging in works only with that account's own "
        "password (401 otherwise, as any wrong password). The answer tells nobody which "
        "addresses are registered. Password rule: 10-128 characters, not only letters or "
        "digits, not one of the 10,000 most common passwords, not made of the e-mail's name "
        "(422 naming `password`)."
    ),
    responses={429: {"description": "Too many registrations from this address"}},
)
async def register(
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    address: ClientAddressDep,
    body: UserCreate,
) -> dict:
    await service.count_registration(session, address=address, settings=settings, now=now)
    await session.commit()  # counted even when the e-mail turns out to be taken
    await service.register(session, data=body)
    await session.commit()
    return {"email": body.email, "display_name": body.display_name, "role": "tourist"}


@auth.post(
    "/token",
    response_model=Token,
    summary="Log in (OAuth2 password form)",
    responses={
        429: {"description": "Too many failed logins from this address or for this account"}
    },
)
async def token(
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    address: ClientAddressDep,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
) -> dict:
    access_token, lifetime = await service.login(
        session,
        email=form.username,
        password=form.password,
        address=address,
        settings=settings,
        now=now,
    )
    return {"access_token": access_token, "token_type": "bearer", "expires_in": lifetime}


@auth.get("/me", response_model=UserPrivate, summary="The account logged in")
async def me(session: SessionDep, user: CurrentUser) -> dict:
    return await service.private_view(session, user)


@auth.post(
    "/password",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Change my password (ends every session: log in again)",
    description=(
        "Same strength rule as registration (422 naming `new_password`); a wrong current "
        "password is 422 naming `current_password` and counts as a failed login for the "
        "account (429 once too many). Every token issued before, this one too, answers 401 "
        "afterwards: the answer carries nothing, log in again with the new password."
    ),
    responses={429: {"description": "Too many wrong passwords for this account or address"}},
)
async def change_password(
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    address: ClientAddressDep,
    user: CurrentUser,
    body: PasswordUpdate,
) -> Response:
    await service.change_password(
        session, user=user, data=body, address=address, settings=settings, now=now
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@admin.get(
    "/users",
    response_model=UsersAdmin,
    summary="Accounts, newest first: search by e-mail or name, role, active",
    description="`count` is how many accounts match in all, not only this page.",
)
async def list_users(
    session: SessionDep,
    _: AdminUser,
    q: Annotated[
        str | None,
        Query(max_length=100, description="A part of the e-mail or display name, any case"),
    ] = None,
    role: Annotated[str | None, Query(pattern=f"^({'|'.join(ROLES)})$")] = None,
    active: bool | None = None,
    limit: LimitQuery = 50,
    offset: OffsetQuery = 0,
) -> dict:
    items, count = await service.list_users(
        session, q=(q or "").strip() or None, role=role, active=active, limit=limit, offset=offset
    )
    return {"items": items, "count": count}


@admin.post(
    "/users",
    response_model=UserPrivate,
    status_code=status.HTTP_201_CREATED,
    summary="Create a vendor, moderator, admin or bike-share operator account",
)
async def create_staff(session: SessionDep, _: AdminUser, body: StaffCreate) -> dict:
    user = await service.create_user(session, data=body, role=body.role)
    if body.eatery_ids:
        await service.assign_eateries(session, user_id=user.id, eatery_ids=body.eatery_ids)
    view = await service.private_view(session, user)
    await session.commit()
    return view


@admin.put(
    "/vendors/{user_id}/eateries",
    response_model=UserPrivate,
    summary="Set the eateries a vendor may edit",
)
async def set_vendor_eateries(
    session: SessionDep, _: AdminUser, user_id: IdPath, body: VendorEateriesUpdate
) -> dict:
    vendor = await service.assign_eateries(session, user_id=user_id, eatery_ids=body.eatery_ids)
    view = await service.private_view(session, vendor)
    await session.commit()
    return view
