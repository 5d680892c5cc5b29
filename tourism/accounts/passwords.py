"""The strength rule of every password set: registration, staff accounts, the command line, a
change. The length is the schemas' `Password` (10 to 128 characters); this is the rest."""

from functools import cache

from tourism.languages import say

COMMON_LIMIT = 10_000
# Common in Vietnam and missing from zxcvbn's list (built from English-speaking leaks).
COMMON_HERE = frozenset(
    {"matkhau123", "matkhau@123", "anhyeuem", "anhyeuem123", "emyeuanh123", "vietnam123"}
)

# What a rejected password is told (ValueError(Message): pydantic and the services word it in the
# request's language, tourism.languages).
COMMON = say(
    "one of the 10,000 most common passwords: choose a rarer one",
    "đây là một trong 10.000 mật khẩu phổ biến nhất: hãy chọn mật khẩu khó đoán hơn",
)
MIX = say("mix letters with digits or symbols", "hãy kết hợp chữ cái với chữ số hoặc ký hiệu")
NAME = say(
    "must not be made of the name of the e-mail address",
    "không được tạo từ phần tên của địa chỉ e-mail",
)


@cache
def common_passwords() -> frozenset[str]:
    """The 10,000 most common passwords, lower-cased (zxcvbn's list, most common first).

    Read on first use, not at import: the list module is 800 kB of literals.
    """
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(p.lower() for p in FREQUENCY_LISTS["passwords"][:COMMON_LIMIT]) | COMMON_HERE


def _letters(text: str) -> str:
    """The letters of `text`, lower-cased: "Khach.2026!" -> "khach"."""
    return "".join(c for c in text.casefold() if c.isalpha())


def strong_enough(password: str, *, email: str = "") -> str:
    """`password`, or ValueError(Message) saying what is wrong with it.

    Refused: one of the 10,000 most common passwords (in any case), only letters or only
    digits, and one made of the e-mail's name: containing it (a name of 4 characters or more,
    "khach123" for khach@example.vn) or nothing else once digits and punctuation are dropped.
    """
    lowered = password.casefold()
    if lowered in common_passwords():
        raise ValueError(COMMON)
    if password.isalpha() or password.isdigit():
        raise ValueError(MIX)
    name = email.rpartition("@")[0].casefold() if "@" in email else ""
    if name and (
        (len(name) >= 4 and name in lowered)
        or (_letters(name) and _letters(name) == _letters(password))
    ):
        raise ValueError(NAME)
    return password
