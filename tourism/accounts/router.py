from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from tourism.accounts import service
from tourism.accounts.dependencies import AdminUser, CurrentUser
from tourism.accounts.models import ROLES
from tourism.accounts.schemas import (
    LoginForm,
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
    NowDep,
    SessionDep,
    SettingsDep,
)
from tourism.exceptions import DomainError
from tourism.openapi import errors
from tourism.paging import Paging, paged

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
        "For tourists who want to write reviews. 201 with the same answer whether the e-mail "
        "was free or already has an account: then nothing is created, and logging in works "
        "only with that account's own password (401 otherwise, as any wrong password). The "
        "answer tells nobody which addresses are registered. Password rule: 10-128 "
        "characters, not only letters or digits, not one of the 10,000 most common passwords, "
        "not made of the e-mail's name (422 naming `password`). Registrations are limited per "
        "client address and hour (429 with `Retry-After`). Never cached (`no-store`)."
    ),
    responses=errors(429),
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
    description=(
        "For every account: the OAuth2 password grant, a form body "
        "(`application/x-www-form-urlencoded`) with `username` (the e-mail, any case) and "
        "`password`; `grant_type`, if sent, must be `password`. Answers a bearer token to "
        "send as `Authorization: Bearer <token>`, valid `expires_in` seconds or until the "
        "password changes or the account is disabled. Every way the credentials can be wrong "
        "(unknown e-mail, wrong password, disabled account) is the same 401. Failed logins "
        "are limited per client address and per account (429 with `Retry-After`); a lock "
        "lifts by itself. Never cached (`no-store`)."
    ),
    responses=errors(401, 429),
)
async def token(
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    address: ClientAddressDep,
    form: Annotated[LoginForm, Form()],
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


@auth.get(
    "/me",
    response_model=UserPrivate,
    summary="The account logged in",
    description=(
        "For any logged-in account: its id, e-mail, display name, role and, for a vendor, "
        "the eateries it may edit. Read fresh on every call; never cached (`no-store`)."
    ),
)
async def me(session: SessionDep, user: CurrentUser) -> dict:
    return await service.private_view(session, user)


@auth.post(
    "/password",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Change my password (ends every session: log in again)",
    description=(
        "For any logged-in account. Same strength rule as registration (422 naming "
        "`new_password`); a wrong current password is 422 naming `current_password` and "
        "counts as a failed login for the account (429 once too many). Every token issued "
        "before, this one too, answers 401 afterwards: the answer carries nothing, log in "
        "again with the new password."
    ),
    responses=errors(429),
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
    description=(
        "For admins (the console's account list). Newest account first (by creation time, "
        "then id), paged with `limit` and `cursor`; `total` counts every account that matches "
        "the filters, not only this page. `offset` still works, answering `Deprecation`."
    ),
)
async def list_users(
    session: SessionDep,
    _: AdminUser,
    response: Response,
    paging: Annotated[Paging, Depends(paged(datetime, int))],
    q: Annotated[
        str | None,
        Query(
            max_length=100,
            description="A part of the e-mail or display name, any case",
            examples=["nguyen"],
        ),
    ] = None,
    role: Annotated[
        str | None,
        Query(
            pattern=f"^({'|'.join(ROLES)})$",
            description=f"Only accounts of this role: {', '.join(ROLES)}",
            examples=["vendor"],
        ),
    ] = None,
    active: Annotated[
        bool | None,
        Query(description="true: active accounts only; false: disabled ones", examples=[True]),
    ] = None,
) -> dict:
    rows, total = await service.list_users(
        session,
        q=(q or "").strip() or None,
        role=role,
        active=active,
        limit=paging.limit,
        after=paging.after,
        offset=paging.offset,
    )
    next_cursor = paging.next_cursor(rows, key_of=lambda r: (r["created_at"], r["id"]))
    return paging.answer(response, paging.trim(rows), next_cursor=next_cursor, total=total)


@admin.post(
    "/users",
    response_model=UserPrivate,
    status_code=status.HTTP_201_CREATED,
    summary="Create a vendor, moderator, admin or bike-share operator account",
    description=(
        "For admins. The password follows the registration rule (422 naming `password`); an "
        "e-mail that has an account is a 409 naming `email`; `eatery_ids` is for vendors "
        "only and every id must name an eatery (422 naming `eatery_ids`). Tourists register "
        "themselves (POST /api/v1/auth/register)."
    ),
    responses=errors(409),
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
    description=(
        "For admins. Replaces the vendor's eateries with exactly `eatery_ids` ([] takes every "
        "one away). 404 for no such account; 422 naming `eatery_ids` when the account is not "
        "a vendor or an id names no eatery."
    ),
    responses=errors(404),
)
async def set_vendor_eateries(
    session: SessionDep,
    _: AdminUser,
    user_id: IdPath,
    body: VendorEateriesUpdate,
) -> dict:
    vendor = await service.assign_eateries(session, user_id=user_id, eatery_ids=body.eatery_ids)
    view = await service.private_view(session, vendor)
    await session.commit()
    return view
