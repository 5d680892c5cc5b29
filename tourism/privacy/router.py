from fastapi import APIRouter, Response, status

from tourism.accounts.dependencies import CurrentUser
from tourism.accounts.router import NoStoreRoute
from tourism.accounts.schemas import AccountDelete
from tourism.dependencies import ClientAddressDep, NowDep, SessionDep, SettingsDep
from tourism.openapi import errors
from tourism.privacy import service

router = APIRouter(prefix="/auth", tags=["accounts"], route_class=NoStoreRoute)


@router.delete(
    "/me",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete my account and my personal data",
    description=(
        "For any logged-in account (Decree 13/2023 on personal data). Body "
        '`{"password": "..."}`: the account\'s password again (a wrong one is 422 naming '
        "`password` and counts as a failed login). Deletes the e-mail, display name, password "
        "hash, the rate-limit rows named after the account and the reviews that were never "
        "public, in one transaction; public reviews stay, shown with `author: null` (a former "
        "visitor). Every token of the account answers 401 afterwards; the e-mail may register "
        "again. The last active admin cannot be deleted (409). Audited as `user.delete`."
    ),
    responses=errors(409, 429),
)
async def delete_me(
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    address: ClientAddressDep,
    user: CurrentUser,
    body: AccountDelete,
) -> Response:
    await service.delete_account(
        session, user=user, password=body.password, address=address, settings=settings, now=now
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
