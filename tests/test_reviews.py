"""Reviews, vendors and moderation through the API: the authorisation matrix, the life cycle,
exact aggregates under concurrency, and the limits on review bombing."""

import secrets

import httpx
import pytest

from tests.conftest import PASSWORD
from tests.helpers import make_eatery
from tourism.accounts.schemas import UserCreate
from tourism.accounts.service import create_user


async def _post_review(client, who, eatery_id, **body):
    return await client.post(
        f"/api/v1/eateries/{eatery_id}/reviews",
        headers=who["headers"],
        json={"rating": 4, **body},
    )


async def _decide(client, people, review_id, action, reason=None, who="moderator"):
    return await client.post(
        f"/api/v1/moderation/reviews/{review_id}/decision",
        headers=people[who]["headers"],
        json={"action": action, **({"reason": reason} if reason else {})},
    )


async def _tourist(app) -> dict:
    """A fresh tourist with a token, for tests that need their own review slots."""
    email = f"t-{secrets.token_hex(4)}@example.vn"
    async with app.state.resources.sessions() as session, session.begin():
        user = await create_user(
            session, data=UserCreate(email=email, password=PASSWORD, display_name="Khách")
        )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        r = await http.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
    return {"id": user.id, "headers": {"Authorization": f"Bearer {r.json()['access_token']}"}}


# -- the authorisation matrix ---------------------------------------------------------------------

WHO = ["anonymous", "tourist", "other_tourist", "owner", "other_vendor", "moderator", "admin"]


def _row(*statuses: int) -> dict[str, int]:
    return dict(zip(WHO, statuses, strict=True))


VENDOR_OWN = _row(401, 403, 403, 200, 404, 403, 403)
MATRIX = [
    ("GET", "/api/v1/vendor/eateries", None, _row(401, 403, 403, 200, 200, 403, 403)),
    ("PATCH", "/api/v1/vendor/eateries/{owned}", {"phone": "0225 3 123 456"}, VENDOR_OWN),
    ("GET", "/api/v1/vendor/eateries/{owned}/menu", None, VENDOR_OWN),
    ("GET", "/api/v1/vendor/eateries/{owned}/menu/{dish}/prices", None, VENDOR_OWN),
    ("PATCH", "/api/v1/vendor/eateries/{owned}/menu/{dish}", {"available": True}, VENDOR_OWN),
    (
        "PUT",
        "/api/v1/vendor/eateries/{owned}/menu",
        {
            "items": [
                {"dish": "banh-da-cua", "price_vnd": 40000},
                {"dish": "bun-ca-cay", "price_vnd": 45000},
            ]
        },
        VENDOR_OWN,
    ),
    ("GET", "/api/v1/reviews/mine", None, _row(401, 200, 200, 200, 200, 200, 200)),
    ("GET", "/api/v1/moderation/reviews", None, _row(401, 403, 403, 403, 403, 200, 200)),
    (
        "GET",
        "/api/v1/moderation/reviews?status=flagged",
        None,
        _row(401, 403, 403, 403, 403, 200, 200),
    ),
    ("GET", "/api/v1/admin/audit", None, _row(401, 403, 403, 403, 403, 403, 200)),
    ("GET", "/api/v1/auth/me", None, _row(401, 200, 200, 200, 200, 200, 200)),
    (
        "PUT",
        "/api/v1/admin/vendors/{owner}/eateries",
        {"eatery_ids": ["{owned}"]},  # the owner keeps the eatery the other tests use
        _row(401, 403, 403, 403, 403, 403, 200),
    ),
    (
        "PUT",
        "/api/v1/reviews/{review}/response",
        {"text": "Cảm ơn!"},
        _row(401, 403, 403, 200, 404, 403, 403),
    ),
    (
        "POST",
        "/api/v1/admin/users",
        {"email": "x@example.vn"},
        _row(401, 403, 403, 403, 403, 403, 422),
    ),
]


async def _first_dish(client, people) -> str:
    menu = await client.get(
        f"/api/v1/vendor/eateries/{people['owner']['eatery']}/menu",
        headers=people["owner"]["headers"],
    )
    assert menu.status_code == 200, menu.text
    return menu.json()["items"][0]["dish"]


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize(
    ("method", "path", "body", "expected"), MATRIX, ids=[f"{m} {p}" for m, p, *_ in MATRIX]
)
async def test_authorisation_matrix(
    client, people, approved_review, who, method, path, body, expected
):
    path = path.format(
        dish=await _first_dish(client, people),
        review=approved_review,
        owner=people["owner"]["id"],
        owned=people["owner"]["eatery"],
    )
    if body == {"eatery_ids": ["{owned}"]}:
        body = {"eatery_ids": [people["owner"]["eatery"]]}
    r = await client.request(method, path, headers=people[who]["headers"], json=body)
    assert r.status_code == expected[who], (who, r.text)


@pytest.mark.parametrize("who", WHO)
async def test_matrix_writing_a_review(client, app, people, who):
    eatery = await make_eatery_for(app, f"matrix-review-{who.replace('_', '-')}")
    r = await _post_review(client, people[who], eatery)
    assert r.status_code == _row(401, 201, 201, 403, 403, 403, 403)[who], r.text


@pytest.mark.parametrize("who", WHO)
async def test_matrix_deciding(client, app, people, who):
    eatery = await make_eatery_for(app, f"matrix-decide-{who.replace('_', '-')}")
    review_id = (await _post_review(client, people["other_tourist"], eatery)).json()["id"]
    r = await client.post(
        f"/api/v1/moderation/reviews/{review_id}/decision",
        headers=people[who]["headers"],
        json={"action": "approve"},
    )
    assert r.status_code == _row(401, 403, 403, 403, 403, 200, 200)[who], r.text


@pytest.mark.parametrize("who", WHO)
async def test_matrix_flagging(client, app, people, approved_review, who):
    r = await client.post(
        f"/api/v1/reviews/{approved_review}/flags",
        headers=people[who]["headers"],
        json={"reason": "nghi là quảng cáo"},
    )
    assert r.status_code == _row(401, 201, 201, 201, 201, 201, 201)[who], r.text


@pytest.mark.parametrize("who", WHO)
async def test_matrix_menu_writes(client, app, people, who):
    """Adding, replacing and removing: only the owner, on the owner's eatery."""
    headers = people[who]["headers"]
    base = f"/api/v1/vendor/eateries/{people['owner']['eatery']}/menu"
    add = await client.post(base, headers=headers, json={"dish": "pho-bo", "price_vnd": 45000})
    expected = _row(401, 403, 403, 201, 404, 403, 403)[who]
    assert add.status_code == expected, add.text
    if who == "owner":
        gone = await client.delete(f"{base}/pho-bo", headers=headers)
        assert gone.status_code == 204
    else:
        assert (await client.delete(f"{base}/pho-bo", headers=headers)).status_code == expected


async def make_eatery_for(app, slug: str) -> int:
    async with app.state.resources.sessions() as session:
        return await make_eatery(
            session,
            slug=slug,
            lat=20.70,
            lon=106.55,
            hours="Mo-Su 06:00-22:00",
            menu=[("banh-da-cua", 40000), ("nem-cua-be", 25000)],
        )


@pytest.mark.parametrize(
    ("method", "path", "who", "body", "field"),
    [
        ("PATCH", "/api/v1/vendor/eateries/{owned}", "owner", {"phone": "call me"}, "phone"),
        ("PATCH", "/api/v1/vendor/eateries/{owned}", "owner", {"status": "gone"}, "status"),
        (
            "PATCH",
            "/api/v1/vendor/eateries/{owned}",
            "owner",
            {"description_vi": "x" * 1001},
            "description_vi",
        ),
        (
            "POST",
            "/api/v1/vendor/eateries/{owned}/menu",
            "owner",
            {"dish": "pho-bo", "price_vnd": -5},
            "price_vnd",
        ),
        (
            "POST",
            "/api/v1/vendor/eateries/{owned}/menu",
            "owner",
            {"dish": "pho-bo", "price_vnd": 1.5},
            "price_vnd",
        ),
        (
            "POST",
            "/api/v1/vendor/eateries/{owned}/menu",
            "owner",
            {"dish": "no-such", "price_vnd": 5},
            "dish",
        ),
        (
            "PUT",
            "/api/v1/vendor/eateries/{owned}/menu",
            "owner",
            {"items": [{"dish": "pho-bo", "price_vnd": 5}, {"dish": "pho-bo", "price_vnd": 6}]},
            "menu",
        ),
        ("PATCH", "/api/v1/vendor/eateries/{owned}/menu/Phở", "owner", {"price_vnd": 5}, "dish"),
        ("POST", "/api/v1/reviews/1/flags", "tourist", {"reason": "x"}, "reason"),
        ("PUT", "/api/v1/reviews/1/response", "owner", {"text": ""}, "text"),
        ("POST", "/api/v1/moderation/reviews/1/decision", "moderator", {"action": "ban"}, "action"),
        ("GET", "/api/v1/moderation/reviews?status=all", "moderator", None, "status"),
        (
            "POST",
            "/api/v1/admin/users",
            "admin",
            {
                "email": "a@example.vn",
                "password": "phở-và-bánh-đa-42",
                "display_name": "A",
                "role": "emperor",
            },
            "role",
        ),
    ],
)
async def test_invalid_input_on_write_endpoints(client, people, method, path, who, body, field):
    path = path.format(owned=people["owner"]["eatery"])
    r = await client.request(method, path, headers=people[who]["headers"], json=body)
    assert r.status_code == 422, r.text
    assert field in [d["field"] for d in r.json()["error"]["details"]]
