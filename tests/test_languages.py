"""Languages: `?lang=` and `Accept-Language` pick vi or en for messages and names; answers say
which in `Content-Language`; every message a client may read exists in both."""

import ast
from pathlib import Path

import pytest

from tourism.eateries.schemas import PHONE_RULE
from tourism.exceptions import STATUS
from tourism.languages import VALIDATION_VI, Message, negotiate

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("lang", "header", "expected"),
    [
        (None, None, "en"),
        ("vi", None, "vi"),
        ("en", "vi", "en"),  # the parameter wins
        (None, "vi-VN,vi;q=0.9,en;q=0.8", "vi"),
        (None, "en-GB,en;q=0.9,vi;q=0.5", "en"),
        (None, "fr-FR,fr;q=0.9,vi;q=0.4", "vi"),  # the first of ours that it accepts
        (None, "fr, de", "en"),
        (None, "vi;q=0, en;q=0.1", "en"),  # q=0: not acceptable
        (None, "vi;q=abc", "en"),
        ("xx", "vi", "vi"),  # a bad parameter (answered 422) does not decide
        (None, "*", "en"),
    ],
)
def test_negotiation(lang, header, expected):
    assert negotiate(lang, header) == expected


async def test_a_404_in_each_language(client):
    for params, headers, language, message in (
        ({}, {}, "en", "no eatery with id"),
        ({"lang": "vi"}, {}, "vi", "không"),
        ({}, {"Accept-Language": "vi-VN,vi;q=0.9"}, "vi", "không"),
        ({"lang": "en"}, {"Accept-Language": "vi"}, "en", "no eatery with id"),
    ):
        r = await client.get("/api/v1/eateries/987654321", params=params, headers=headers)
        assert r.status_code == 404
        assert r.headers["content-language"] == language
        assert "Accept-Language" in r.headers["vary"]
        assert message in r.json()["error"]["message"]


async def test_validation_messages_in_vietnamese(client):
    r = await client.get("/api/v1/eateries/nearby", params={"lat": 91, "lon": "x", "lang": "vi"})
    assert r.status_code == 422
    details = {d["field"]: d["message"] for d in r.json()["error"]["details"]}
    assert details["lat"] == "phải nhỏ hơn hoặc bằng 90"
    assert details["lon"] == "phải là một số"
    assert r.json()["error"]["message"].startswith("giá trị không hợp lệ")
    english = await client.get("/api/v1/eateries/nearby", params={"lat": 91, "lon": 1})
    assert "less than or equal to 90" in english.json()["error"]["details"][0]["message"]


async def test_a_bad_lang_is_a_422_naming_it(client):
    r = await client.get("/api/v1/dishes", params={"lang": "fr"})
    assert r.status_code == 422
    assert [d["field"] for d in r.json()["error"]["details"]] == ["lang"]


async def test_a_body_too_large_in_vietnamese(client):
    r = await client.post(
        "/api/v1/auth/register?lang=vi",
        content=b"{" + b" " * 2_000_000 + b"}",
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 413
    assert "lớn hơn" in r.json()["error"]["message"]


async def test_pages_and_files_do_not_claim_a_language(client):
    r = await client.get("/healthz")
    assert "content-language" not in r.headers


def test_every_validation_template_formats():
    """Each Vietnamese template names only context pydantic gives for its type."""
    for kind, template in VALIDATION_VI.items():
        assert template.strip(), kind


# -- every message a client reads exists in both languages ---------------------------------------

ERRORS = {cls.__name__ for cls in STATUS} | {"DomainError"}


def _bare_messages(tree: ast.AST, path: Path, *, validators: bool = True):
    """Calls of a domain error, on_violation or (with `validators`) ValueError whose message is
    a string literal or f-string."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name in ERRORS:
            # InvalidInput(field, message): the message is the last positional argument
            args = node.args[1:] if name == "InvalidInput" else node.args[:1]
        elif name == "on_violation":
            args = node.args[1:2] + [k.value for k in node.keywords if k.arg == "detail"]
        elif name == "ValueError" and validators:
            args = node.args[:1]
        else:
            continue
        for arg in args:
            if isinstance(arg, ast.Constant | ast.JoinedStr) or (
                isinstance(arg, ast.BinOp) and isinstance(arg.left, ast.Constant | ast.JoinedStr)
            ):
                yield f"{path.relative_to(ROOT)}:{node.lineno} {name}"


# Their ValueErrors are read by whoever configures or runs the server, in English.
READ_BY_OPERATORS = {
    "tourism/config.py",
    "tourism/bikeshare/config.py",
    "tourism/qrcodes/commands.py",
    "tourism/cli.py",
    "tourism/embedded.py",
    "tourism/backup.py",
    "tourism/proxies.py",
}


def test_no_message_is_in_one_language_only():
    """Messages are `say(en, vi)`: a bare string in a domain error, a constraint's meaning or a
    validator's ValueError would reach a Vietnamese client in English."""
    bare = []
    for path in sorted((ROOT / "tourism").rglob("*.py")):
        operators = str(path.relative_to(ROOT)) in READ_BY_OPERATORS
        bare += _bare_messages(ast.parse(path.read_text()), path, validators=not operators)
    assert not bare, "messages without a Vietnamese twin:\n" + "\n".join(bare)


def test_the_walk_finds_a_bare_message():
    tree = ast.parse('raise NotFound(f"no eatery {x}")\nraise InvalidInput("f", say("a", "b"))')
    assert list(_bare_messages(tree, ROOT / "x.py")) == ["x.py:1 NotFound"]


def test_a_message_is_english_to_logs():
    assert str(Message("hello", "xin chào")) == "hello"


async def test_a_phone_rule_is_said_in_words_not_as_a_pattern(client, people):
    owner = people["owner"]
    for lang in ("vi", "en"):
        r = await client.patch(
            f"/api/v1/vendor/eateries/{owner['eatery']}",
            params={"lang": lang},
            headers=owner["headers"],
            json={"phone": "gọi tôi"},
        )
        assert r.status_code == 422
        details = {d["field"]: d["message"] for d in r.json()["error"]["details"]}
        assert details["phone"] == PHONE_RULE.in_language(lang)
