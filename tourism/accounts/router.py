from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from fastapi.security import OAuth2PasswordRequestForm

from tourism.accounts import service
from tourism.accounts.schemas import StaffCreate, Token, UserCreate, UserPrivate, VendorEateries
from tourism.dependencies import AdminUser, CurrentUser, IdPath, NowDep, SessionDep

auth = APIRouter(prefix="/auth", tags=["accounts"])
admin = APIRouter(prefix="/admin", tags=["administration"])


@auth.post(
    "/register",
    response_model=UserPrivate,
    status_code=status.HTTP_201_CREATED,
    summary="Create a tourist account",
)
async def register(session: SessionDep, body: UserCreate) -> dict:
    user = await service.create_user(session, data=body)
    view = await service.private_view(session, user)
    await session.commit()
    return view


@auth.post("/token", response_model=Token, summary="Log in (OAuth2 password form)")
async def token(
    request: Request,
    session: SessionDep,
    now: NowDep,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
) -> dict:
    access_token, lifetime = await service.login(
        session,
        email=form.username,
        password=form.password,
        settings=request.app.state.settings,
        now=now,
    )
    return {"access_token": access_token, "token_type": "bearer", "expires_in": lifetime}


@auth.get("/me", response_model=UserPrivate, summary="The account logged in")
async def me(session: SessionDep, user: CurrentUser) -> dict:
    return await service.private_view(session, user)


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
    session: SessionDep, _: AdminUser, user_id: IdPath, body: VendorEateries
) -> dict:
    vendor = await service.assign_eateries(session, user_id=user_id, eatery_ids=body.eatery_ids)
    view = await service.private_view(session, vendor)
    await session.commit()
    return view
