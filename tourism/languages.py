"""The API's two languages: which one a request asked for, and messages written in both.

A request picks Vietnamese or English with `?lang=vi|en`, or else with `Accept-Language`
(the first of vi/en by quality); without either it gets English, what the API always answered.
The choice lives in a context variable for the length of the request (`Languages`, a pure ASGI
middleware, sets it before anything runs, so error handlers read it too), and API answers say
it in `Content-Language`.

Messages a client may read are `Message`s: English and Vietnamese side by side where they are
raised, so no message can lack a translation. Pydantic's own validation messages are worded
here by their error type.
"""

from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Annotated, Any, Literal
from urllib.parse import parse_qsl

from fastapi import Header, Query
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.types import Message as AsgiMessage

Language = Literal["vi", "en"]
LANGUAGES: tuple[Language, ...] = ("vi", "en")
DEFAULT_LANGUAGE: Language = "en"

language_var: ContextVar[Language] = ContextVar("language", default=DEFAULT_LANGUAGE)


def current_language() -> Language:
    return language_var.get()


@dataclass(frozen=True)
class Message:
    """A sentence for a client, in English and in Vietnamese."""

    en: str
    vi: str

    def __str__(self) -> str:  # logs and exceptions read English
        return self.en

    def in_language(self, language: Language) -> str:
        return self.vi if language == "vi" else self.en


def say(en: str, vi: str) -> Message:
    return Message(en, vi)


def localized(value: Any, language: Language | None = None) -> Any:
    """`value` with every Message in it (in lists and dicts too) worded in `language`."""
    language = language or language_var.get()
    if isinstance(value, Message):
        return value.in_language(language)
    if isinstance(value, list | tuple):
        return [localized(item, language) for item in value]
    if isinstance(value, dict):
        return {key: localized(item, language) for key, item in value.items()}
    return value


def name_in(name_vi: str, name_en: str | None, language: Language | None = None) -> str:
    """The `name` convenience field: `name_en` in English when there is one, else `name_vi`
    (the eatery card's SQL spells the same rule: tourism.eateries.card)."""
    language = language or language_var.get()
    return (name_en or name_vi) if language == "en" else name_vi


# -- negotiation -------------------------------------------------------------------------------


def _accepted(header: str) -> Language | None:
    """The best of vi/en in an Accept-Language value, or None when it names neither."""
    best: tuple[float, int, Language] | None = None
    for position, part in enumerate(header.split(",")[:20]):  # a client's list, bounded
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-", 1)[0]
        if primary not in LANGUAGES:
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0 and (best is None or (quality, -position) > (best[0], best[1])):
            best = (quality, -position, primary)  # type: ignore[assignment]
    return best[2] if best else None


def negotiate(lang: str | None, accept_language: str | None) -> Language:
    """`?lang=` when it names vi or en, else Accept-Language, else English."""
    if lang in LANGUAGES:
        return lang  # type: ignore[return-value]
    if accept_language:
        return _accepted(accept_language) or DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


# Answers in one language: the API's JSON. Pages, scripts and GBFS files say their own.
NEGOTIATED_PATHS = ("/api/",)


class Languages:
    """Sets the request's language before the app runs; answers under /api/ carry
    `Content-Language` and `Vary: Accept-Language`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = scope.get("query_string", b"")
        lang = None
        if b"lang=" in query:
            lang = dict(parse_qsl(query.decode("latin-1"))).get("lang")
        accept = next((v for k, v in scope["headers"] if k == b"accept-language"), None)
        language = negotiate(lang, accept.decode("latin-1") if accept else None)
        token = language_var.set(language)
        send_as = send
        if scope["path"].startswith(NEGOTIATED_PATHS):
            said = (b"content-language", language.encode())

            async def send_as(message: AsgiMessage) -> None:
                if message["type"] == "http.response.start":
                    headers = list(message.get("headers", ()))
                    vary = [v for k, v in headers if k.lower() == b"vary"]
                    headers = [h for h in headers if h[0].lower() not in (b"vary",)]
                    varies = b", ".join([*vary, b"Accept-Language"])
                    message["headers"] = [*headers, said, (b"vary", varies)]
                await send(message)

        try:
            await self.app(scope, receive, send_as)
        finally:
            language_var.reset(token)


async def language_param(
    lang: Annotated[
        Language | None,
        Query(
            description="The language of messages and of the `name`/`description` "
            "convenience fields: `vi` or `en`. Wins over `Accept-Language`.",
            examples=["vi"],
        ),
    ] = None,
    accept_language: Annotated[
        str | None,
        Header(
            max_length=500,
            description="Used when `lang` is not given: the first of `vi` and `en` by quality. "
            "English when it names neither.",
            examples=["vi-VN,vi;q=0.9,en;q=0.8"],
        ),
    ] = None,
) -> Language:
    """Documents the two ways to choose a language on every operation; the middleware has
    already chosen (a `lang` that is neither vi nor en is a 422 here)."""
    return language_var.get()


# -- pydantic's validation messages, by error type --------------------------------------------
# Templates read the error's context (pydantic's `ctx`), as pydantic's own English ones do.
VALIDATION_VI: Mapping[str, str] = {
    "missing": "bắt buộc phải có",
    "extra_forbidden": "trường này không được phép",
    "string_type": "phải là một chuỗi ký tự",
    "string_too_short": "phải có ít nhất {min_length} ký tự",
    "string_too_long": "chỉ được tối đa {max_length} ký tự",
    "string_pattern_mismatch": "không đúng định dạng '{pattern}'",
    "string_unicode": "phải là văn bản Unicode hợp lệ",
    "int_type": "phải là số nguyên",
    "int_parsing": "phải là số nguyên",
    "int_from_float": "phải là số nguyên, không có phần thập phân",
    "int_parsing_size": "số nguyên quá lớn",
    "float_type": "phải là một số",
    "float_parsing": "phải là một số",
    "finite_number": "phải là một số hữu hạn",
    "bool_type": "phải là true hoặc false",
    "bool_parsing": "phải là true hoặc false",
    "greater_than": "phải lớn hơn {gt}",
    "greater_than_equal": "phải lớn hơn hoặc bằng {ge}",
    "less_than": "phải nhỏ hơn {lt}",
    "less_than_equal": "phải nhỏ hơn hoặc bằng {le}",
    "multiple_of": "phải là bội số của {multiple_of}",
    "literal_error": "phải là một trong: {expected}",
    "enum": "phải là một trong: {expected}",
    "list_type": "phải là một danh sách",
    "tuple_type": "phải là một bộ giá trị",
    "set_type": "phải là một tập hợp",
    "too_short": "phải có ít nhất {min_length} phần tử",
    "too_long": "chỉ được tối đa {max_length} phần tử",
    "dict_type": "phải là một đối tượng",
    "model_type": "phải là một đối tượng",
    "model_attributes_type": "phải là một đối tượng",
    "json_invalid": "JSON không hợp lệ",
    "json_type": "phải là JSON",
    "date_type": "phải là một ngày (YYYY-MM-DD)",
    "date_parsing": "phải là một ngày (YYYY-MM-DD)",
    "date_from_datetime_parsing": "phải là một ngày (YYYY-MM-DD)",
    "date_from_datetime_inexact": "phải là một ngày, không kèm giờ",
    "datetime_type": "phải là thời điểm RFC 3339",
    "datetime_parsing": "phải là thời điểm RFC 3339",
    "datetime_from_date_parsing": "phải là thời điểm RFC 3339",
    "datetime_object_invalid": "thời điểm không hợp lệ",
    "time_type": "phải là giờ (HH:MM)",
    "time_parsing": "phải là giờ (HH:MM)",
    "timezone_aware": "phải có múi giờ",
    "timezone_naive": "không được có múi giờ",
    "url_type": "phải là một URL",
    "url_parsing": "phải là một URL hợp lệ",
    "url_scheme": "URL phải dùng {expected_schemes}",
    "url_too_long": "URL quá dài",
    "value_error": "giá trị không hợp lệ",
    "assertion_error": "giá trị không hợp lệ",
    "union_tag_invalid": "loại '{tag}' không hợp lệ; phải là một trong: {expected_tags}",
    "union_tag_not_found": "thiếu trường '{discriminator}'",
    "uuid_type": "phải là UUID",
    "uuid_parsing": "phải là UUID",
    "decimal_type": "phải là số thập phân",
    "decimal_parsing": "phải là số thập phân",
    "bytes_type": "phải là dữ liệu nhị phân",
    "bytes_too_short": "phải có ít nhất {min_length} byte",
    "bytes_too_long": "chỉ được tối đa {max_length} byte",
    "no_such_attribute": "không có thuộc tính này",
    "frozen_field": "không được thay đổi",
    "is_instance_of": "kiểu dữ liệu không đúng",
    "callable_type": "kiểu dữ liệu không đúng",
    # this API's own
    "control_characters": "không được chứa ký tự điều khiển",
    "instant_out_of_range": "phải nằm trong khoảng {first} đến {last} (UTC)",
}


def validation_message(error: Mapping[str, Any], language: Language) -> str:
    """One pydantic error's message in `language`.

    A validator of this API raises ValueError(Message): pydantic keeps the exception in the
    error's context, and its Message is worded in either language.
    """
    context = error.get("ctx") or {}
    raised = context.get("error")
    if isinstance(raised, Exception) and raised.args and isinstance(raised.args[0], Message):
        return raised.args[0].in_language(language)
    if language == "en":
        return str(error.get("msg", "invalid"))
    template = VALIDATION_VI.get(str(error.get("type")), "giá trị không hợp lệ")
    try:
        return template.format(**{k: _shown(v) for k, v in context.items()})
    except (KeyError, IndexError, ValueError):
        return VALIDATION_VI["value_error"]


def _shown(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # "90", as pydantic's English says it
    return value if isinstance(value, str) else str(value)
