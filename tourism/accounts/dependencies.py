"""Who is asking: the logged-in account and the roles that may call an operation."""

from typing import Annotated

from fastapi import Depends
from fastapi.security import OAuth2PasswordBearer

from tourism.accounts.models import User
from tourism.accounts.security import read_token
from tourism.accounts.service import active_user
from tourism.dependencies import SessionDep, SettingsDep
from tourism.exceptions import Forbidden, NotAuthenticated
from tourism.languages import say
from tourism.openapi import needs_login

LOG_IN_FIRST = say(
    "log in first: send `Authorization: Bearer <token>`",
    "hãy đăng nhập trước: gửi `Authorization: Bearer <token>`",
)
NOT_YOUR_ROLE = say("your account may not do this", "tài khoản của bạn không được làm việc này")

_bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


@needs_login
async def current_user(
    session: SessionDep, settings: SettingsDep, token: Annotated[str | None, Depends(_bearer)]
) -> User:
    if not token:
        raise NotAuthenticated(LOG_IN_FIRST)
    claims = read_token(token, settings)
    # Read on every request: a disabled account or an ended token answers 401 at once.
    return await active_user(session, claims.user_id, claims.version)


CurrentUser = Annotated[User, Depends(current_user)]


def require_role(*roles: str):
    """A dependency that lets only these roles through (403 for the others)."""

    async def check(user: CurrentUser) -> User:
        if user.role not in roles:
            raise Forbidden(NOT_YOUR_ROLE)
        return user

    check.roles = roles  # type: ignore[attr-defined] # tourism.openapi: 403, and who may
    return check


TouristUser = Annotated[User, Depends(require_role("tourist"))]
VendorUser = Annotated[User, Depends(require_role("vendor"))]
StaffUser = Annotated[User, Depends(require_role("moderator", "admin"))]
AdminUser = Annotated[User, Depends(require_role("admin"))]
# The bike-share operator pushes station status; admins may too.
OperatorUser = Annotated[User, Depends(require_role("operator", "admin"))]
