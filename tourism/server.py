"""The HTTP server: uvicorn with httptools, and request heads bounded.

uvicorn's httptools protocol reads a request head of any size (a 50 MB header was accepted);
its h11 protocol has a bound (`h11_max_incomplete_event_size`) but parses in pure Python. This
protocol keeps httptools and applies the same bound: a request line and headers longer than
that are answered 431 and the connection is closed.
"""

from typing import Any

import orjson
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from tourism.observability import logging_config

HEAD_TOO_LARGE = "the request line and headers are too large"

DEFAULT_MAX_HEAD_BYTES = 64 * 1024
PROTOCOL = "tourism.server:BoundedHttpToolsProtocol"


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """httptools, refusing request heads over `config.h11_max_incomplete_event_size` bytes."""

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        self.max_head_bytes = self.config.h11_max_incomplete_event_size or DEFAULT_MAX_HEAD_BYTES
        self.head_bytes: int | None = 0  # None while a body is read, not a head

    def data_received(self, data: bytes) -> None:
        if self.head_bytes is not None:
            self.head_bytes += len(data)
            if self.head_bytes > self.max_head_bytes:
                self._refuse_head()
                return
        super().data_received(data)

    def on_headers_complete(self) -> None:
        self.head_bytes = None
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self.head_bytes = 0  # what arrives next is the next request's head
        super().on_message_complete()

    def _refuse_head(self) -> None:
        # The one error shape, in English: the head that would say the language was not read.
        body = orjson.dumps(
            {
                "error": {
                    "code": "too_large",
                    "message": HEAD_TOO_LARGE,
                    "details": [{"field": "headers", "message": HEAD_TOO_LARGE}],
                }
            }
        )
        self.transport.write(
            b"".join(
                (
                    STATUS_LINE[431],
                    b"content-type: application/json\r\n",
                    b"content-length: %d\r\n" % len(body),
                    b"connection: close\r\n\r\n",
                    body,
                )
            )
        )
        self.transport.close()
        self.head_bytes = None


def uvicorn_options(max_header_bytes: int, *, log_format: str | None = None) -> dict[str, Any]:
    """What every server of this app is started with (`foodtour run`, tests).

    With `log_format` (text or json), the process's logging too (tourism.observability): left
    out where a test runs a server inside its own process and keeps its own logging.
    """
    options: dict[str, Any] = {"http": PROTOCOL, "h11_max_incomplete_event_size": max_header_bytes}
    if log_format is not None:
        options["log_config"] = logging_config(log_format)
    return options
