"""The outermost layer of the app: bounded request bodies, headers every answer carries, and a
last-resort answer that keeps the connection.

A pure ASGI middleware (no BaseHTTPMiddleware: that would buffer and cost a task per request).
Request heads are bounded by the server itself (tourism.server).
"""

import logging

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tourism.exceptions import INTERNAL_ERROR, error_response
from tourism.languages import Message as Text
from tourism.languages import say

log = logging.getLogger(__name__)

NOSNIFF = (b"x-content-type-options", b"nosniff")


class BodyTooLarge(HTTPException):
    """The client sent more body than the limit (raised from `receive`).

    An HTTPException, so FastAPI's body parsing lets it through (it turns other errors raised
    while reading into a 400) and the app's handler answers it in the one error shape.
    """

    def __init__(self, limit: int) -> None:
        self.message = too_large(limit)
        super().__init__(413, str(self.message))


def too_large(limit: int) -> Text:
    return say(
        f"the request body is larger than {limit} bytes",
        f"nội dung yêu cầu lớn hơn {limit} byte",
    )


class Guard:
    """Refuse bodies over `max_body_bytes` with 413, say `nosniff` on every answer, and answer
    500 to an unexpected error without re-raising it.

    A body announced too large is refused before a byte of it is read; a chunked one is counted
    as it arrives and refused when it passes the limit. Starlette's ServerErrorMiddleware would
    answer 500 too, but re-raises, and uvicorn then drops the keep-alive connection.
    """

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_body_bytes
        for name, value in scope["headers"]:
            if name == b"content-length":
                if not value.isdigit() or int(value) > limit:
                    await self._too_large(scope, receive, send)
                    return
                break
        started = False
        received = 0

        async def bounded_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = message.setdefault("headers", [])
                if not any(name.lower() == NOSNIFF[0] for name, _ in headers):
                    headers.append(NOSNIFF)
            await send(message)

        try:
            await self.app(scope, bounded_receive, send_with_headers)
        except BodyTooLarge:
            if not started:
                await self._too_large(scope, receive, send)
        except Exception:
            log.exception("unhandled error in %s %s", scope.get("method"), scope.get("path"))
            if not started:
                response = error_response(500, "internal_error", INTERNAL_ERROR)
                await response(scope, receive, send_with_headers)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = too_large(self.max_body_bytes)
        # The client may still be sending: the connection is closed after the answer.
        response = error_response(
            413, "too_large", message, [{"field": "body", "message": message}]
        )
        response.headers["Connection"] = "close"
        response.headers["X-Content-Type-Options"] = "nosniff"
        await response(scope, receive, send)
