"""The API contract (issue 19) for accounts and administration: the account list, the eatery
list and the audit log page one way (a cursor, stable under inserts; `offset` and the audit's
`before` still work with a `Deprecation` header), and messages come in the request's language."""

import secrets
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import PASSWORD
from tourism.accounts.schemas import UserCreate
from tourism.accounts.service import create_user
from tourism.audit import service as audit
from tourism.limits.service import TOO_MANY_REVIEWS, limit_message

USERS = "/api/v1/admin/users"
EATERIES = "/api/v1/admin/eateries"
AUDIT = "/api/v1/admin/audit"


async def _accounts(app, mark: str, n: int) -> list[int]:
    """`n` accounts whose display names hold `mark`, each in a transaction of its own."""
    ids = []
    for _ in range(n):
        async with app.state.resources.sessions() as session, session.begin():
            email = f"c-{secrets.token_hex(4)}@example.vn"
            data = UserCreate(email=email, password=PASSWORD, display_name=f"Khách {mark}")
            ids.append((await create_user(session, data=data)).id)
    return ids


async def _entries(app, entity_id: str, n: int) -> None:
    async with app.state.resources.sessions() as session, session.begin():
        for i in range(n):  # one transaction: the same `at`, told apart by id
            await audit.record(
                session,
                actor_id=None,
                action="test.step",
                entity="test",
                entity_id=entity_id,
                after={"step": i},
            )


def _next_link(response) -> str | None:
    """The cursor the `Link: <...>; rel="next"` header names."""
    for part in response.headers.get("link", "").split(","):
        if 'rel="next"' in part:
            url = part.split(";")[0].strip().strip("<>")
            return parse_qs(urlsplit(url).query)["cursor"][0]
    return None


async def _walk(client, path, params, headers, insert) -> list[int]:
    """Every id of a list, page by page; `insert` runs once, after the first page."""
    seen, cursor, inserted = [], None, False
    while True:
        paging = {"cursor": cursor} if cursor else {}  # httpx sends None as "cursor="
        r = await client.get(path, params={**params, **paging}, headers=headers)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["count"] == len(body["items"]) <= params["limit"]
        assert _next_link(r) == body["next_cursor"]
        assert "deprecation" not in r.headers
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return seen
        if not inserted:
            await insert()
            inserted = True


async def test_the_account_list_walks_by_cursor_stable_under_inserts(app, client, people):
    admin = people["admin"]["headers"]
    mark = secrets.token_hex(4)
    made = await _accounts(app, mark, 5)
    later: list[int] = []

    async def insert() -> None:  # the newest account: before the cursor
        later.extend(await _accounts(app, mark, 1))

    seen = await _walk(client, USERS, {"q": mark, "limit": 2}, admin, insert)
    assert seen == sorted(made, reverse=True)  # each once, newest first, the new one not met
    everything = (await client.get(USERS, params={"q": mark}, headers=admin)).json()
    assert everything["total"] == 6 and everything["items"][0]["id"] == later[0]


async def test_the_account_list_still_takes_offset_with_a_deprecation_header(app, client, people):
    admin = people["admin"]["headers"]
    mark = secrets.token_hex(4)
    made = sorted(await _accounts(app, mark, 3), reverse=True)
    r = await client.get(USERS, params={"q": mark, "limit": 2, "offset": 1}, headers=admin)
    assert r.status_code == 200, r.text
    assert r.headers["deprecation"] == "true" and "sunset" in r.headers
    assert [u["id"] for u in r.json()["items"]] == made[1:]
    assert r.json()["total"] == 3


async def test_a_tampered_or_foreign_cursor_is_a_422_naming_cursor(app, client, people):
    admin = people["admin"]["headers"]
    mark = secrets.token_hex(4)
    await _accounts(app, mark, 3)
    first = (await client.get(USERS, params={"q": mark, "limit": 1}, headers=admin)).json()
    cursor = first["next_cursor"]
    payload, _, signature = cursor.partition(".")
    tampered = f"{payload}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
    cases = [
        (USERS, {"q": mark, "cursor": tampered}),  # not signed by the app
        (USERS, {"q": mark + "x", "cursor": cursor}),  # other filters
        (AUDIT, {"cursor": cursor}),  # another list
        (EATERIES, {"cursor": cursor}),
    ]
    for path, params in cases:
        r = await client.get(path, params=params, headers=admin)
        assert r.status_code == 422, (path, params, r.text)
        assert [d["field"] for d in r.json()["error"]["details"]] == ["cursor"]


async def test_the_audit_log_walks_by_cursor_and_before_is_deprecated(app, client, people):
    admin = people["admin"]["headers"]
    entity_id = secrets.token_hex(4)
    await _entries(app, entity_id, 5)
    params = {"entity": "test", "entity_id": entity_id, "limit": 2}
    everything = (await client.get(AUDIT, params={**params, "limit": 10}, headers=admin)).json()
    made = [e["id"] for e in everything["items"]]
    assert len(made) == 5 and made == sorted(made, reverse=True)
    assert everything["next_cursor"] is None and everything["total"] is None

    async def insert() -> None:
        await _entries(app, entity_id, 1)

    assert await _walk(client, AUDIT, params, admin, insert) == made
    # `before` still works one release: entries before an instant, with Deprecation
    newest = everything["items"][0]["at"]
    r = await client.get(AUDIT, params={**params, "before": newest}, headers=admin)
    assert r.status_code == 200, r.text
    assert r.headers["deprecation"] == "true" and 'rel="deprecation"' in r.headers["link"]
    assert r.json()["items"] == []  # the five share one instant; the sixth is newer still


async def test_the_eatery_list_walks_by_cursor_and_names_in_the_language(client, people):
    admin = people["admin"]["headers"]
    tag = secrets.token_hex(3)
    made = {}
    for letter in "BCDE":
        r = await client.post(
            EATERIES,
            headers=admin,
            json={
                "name_vi": f"Quán {letter} hợp đồng {tag}",
                "name_en": f"Contract {letter} {tag}",
                "kind": "cafe",
                "address": "1 Phố Thử",
                "location": {"type": "Point", "coordinates": [107.43, 21.33]},
            },
        )
        assert r.status_code == 201, r.text
        made[letter] = r.json()["id"]
    inserted = {}

    async def insert() -> None:  # sorts first by name: before the cursor
        r = await client.post(
            EATERIES,
            headers=admin,
            json={
                "name_vi": f"Quán A hợp đồng {tag}",
                "kind": "cafe",
                "address": "1 Phố Thử",
                "location": {"type": "Point", "coordinates": [107.43, 21.33]},
            },
        )
        assert r.status_code == 201, r.text
        inserted["A"] = r.json()["id"]

    seen = await _walk(client, EATERIES, {"q": f"hop dong {tag}", "limit": 3}, admin, insert)
    assert seen == [made[letter] for letter in "BCDE"]
    assert inserted["A"] not in seen

    async def names(**kwargs) -> dict[int, str]:
        r = await client.get(EATERIES, params={"q": f"hop dong {tag}", **kwargs}, headers=admin)
        assert r.status_code == 200, r.text
        return {e["id"]: e["name"] for e in r.json()["items"]}

    assert (await names(lang="vi"))[made["B"]] == f"Quán B hợp đồng {tag}"
    english = await names(lang="en")
    assert english[made["B"]] == f"Contract B {tag}"
    assert english[inserted["A"]] == f"Quán A hợp đồng {tag}"  # no English name: the Vietnamese


@pytest.mark.parametrize("how", ["query", "header"])
async def test_errors_of_accounts_in_vietnamese(client, people, how):
    def asking(language: str) -> tuple[dict, dict]:
        if how == "query":
            return {"lang": language}, {}
        return {}, {"Accept-Language": f"{language};q=0.9, fr;q=0.5"}

    params, headers = asking("vi")
    missing = 9_000_000_000
    r = await client.put(
        f"/api/v1/admin/vendors/{missing}/eateries",
        params=params,
        headers={**people["admin"]["headers"], **headers},
        json={"eatery_ids": []},
    )
    assert r.status_code == 404, r.text
    assert r.headers["content-language"] == "vi"
    assert r.json()["error"]["message"] == f"không tìm thấy tài khoản có mã {missing}"

    r = await client.post(
        "/api/v1/auth/token",
        params=params,
        headers=headers,
        data={"username": people["tourist"]["email"], "password": "not-the-password-1"},
    )
    assert r.status_code == 401 and r.headers["content-language"] == "vi"
    assert r.json()["error"]["message"] == "sai địa chỉ e-mail hoặc mật khẩu"

    r = await client.post(
        "/api/v1/auth/register",
        params=params,
        headers=headers,
        json={"email": "yeu@example.vn", "password": "1234567890", "display_name": "a@b"},
    )
    assert r.status_code == 422 and r.headers["content-language"] == "vi"
    details = {d["field"]: d["message"] for d in r.json()["error"]["details"]}
    assert "10.000 mật khẩu phổ biến nhất" in details["password"]
    assert details["display_name"] == "không được chứa '@': tên hiển thị được công khai"

    params, headers = asking("en")
    r = await client.put(
        f"/api/v1/admin/vendors/{missing}/eateries",
        params=params,
        headers={**people["admin"]["headers"], **headers},
        json={"eatery_ids": []},
    )
    assert r.headers["content-language"] == "en"
    assert r.json()["error"]["message"] == f"no user with id {missing}"


def test_rate_limit_messages_say_the_limit_in_both_languages():
    hourly = limit_message(TOO_MANY_REVIEWS, 10, timedelta(hours=1))
    assert hourly.en == "too many reviews: at most 10 an hour"
    assert hourly.vi == "gửi quá nhiều đánh giá: tối đa 10 lần mỗi giờ"
    windowed = limit_message(TOO_MANY_REVIEWS, 30, timedelta(minutes=15))
    assert (windowed.en, windowed.vi) == (
        "too many reviews: at most 30 in 15 minutes",
        "gửi quá nhiều đánh giá: tối đa 30 lần trong 15 phút",
    )
