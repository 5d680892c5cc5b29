"""Relevance of dish search over a fixed query set: recall@5 and mean reciprocal rank.

Each query names what a tourist means: a dish (the hit's best matched dish) or an eatery
(its slug). A nonsense query is right when it finds nothing.
"""

import unicodedata

import pytest

DISH, EATERY, NOTHING = "dish", "eatery", "nothing"


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


QUERIES: list[tuple[str, str, set[str]]] = [
    # case and diacritics do not matter; NFD works as well as NFC
    ("banh da cua", DISH, {"banh-da-cua"}),
    ("BÁNH ĐA CUA", DISH, {"banh-da-cua"}),
    ("bánh đa cua", DISH, {"banh-da-cua"}),
    ("banh đa cua", DISH, {"banh-da-cua"}),
    (nfd("bánh đa cua"), DISH, {"banh-da-cua"}),
    ("Bánh Đa Cua", DISH, {"banh-da-cua"}),
    ("banh mi cay", DISH, {"banh-mi-cay"}),
    ("bánh mì cay", DISH, {"banh-mi-cay"}),
    ("nem cua be", DISH, {"nem-cua-be"}),
    (nfd("nem cua bể"), DISH, {"nem-cua-be"}),
    ("bun ca cay", DISH, {"bun-ca-cay"}),
    ("lau cua dong", DISH, {"lau-cua-dong"}),
    ("LẨU CUA ĐỒNG", DISH, {"lau-cua-dong"}),
    ("banh beo", DISH, {"banh-beo"}),
    ("banh duc tau", DISH, {"banh-duc-tau"}),
    ("xiu pao", DISH, {"xiu-pao"}),
    ("sủi dìn", DISH, {"sui-din"}),
    ("sua chua mit", DISH, {"sua-chua-mit"}),
    ("ca phe trung", DISH, {"ca-phe-trung"}),
    ("be be rang muoi", DISH, {"be-be-rang-muoi"}),
    # one or two wrong, missing, swapped or extra letters
    ("banh da cau", DISH, {"banh-da-cua"}),
    ("bahn mi cay", DISH, {"banh-mi-cay"}),
    ("banh mi cya", DISH, {"banh-mi-cay"}),
    ("nem cau be", DISH, {"nem-cua-be"}),
    ("bun ca cya", DISH, {"bun-ca-cay"}),
    ("lau cua donng", DISH, {"lau-cua-dong"}),
    ("banhda cua", DISH, {"banh-da-cua"}),
    ("xiu paoo", DISH, {"xiu-pao"}),
    ("banh beoo", DISH, {"banh-beo"}),
    ("nom sau", DISH, {"nom-sua"}),
    # prefixes
    ("banh d", DISH, {"banh-da-cua", "banh-da-cua-be", "banh-duc-tau", "banh-duc-nong"}),
    ("lau c", DISH, {"lau-cua-dong"}),
    ("nem c", DISH, {"nem-cua-be"}),
    ("bun ca c", DISH, {"bun-ca-cay"}),
    ("sua chua", DISH, {"sua-chua-mit"}),
    # English and other names, through the aliases
    ("crab noodle soup", DISH, {"banh-da-cua"}),
    ("spicy fish noodle soup", DISH, {"bun-ca-cay"}),
    ("Hai Phong baguette", DISH, {"banh-mi-cay"}),
    ("square crab spring rolls", DISH, {"nem-cua-be"}),
    ("field crab hotpot", DISH, {"lau-cua-dong"}),
    ("banh mi que", DISH, {"banh-mi-cay"}),
    ("jellyfish salad", DISH, {"nom-sua"}),
    ("egg coffee", DISH, {"ca-phe-trung"}),
    ("beef pho", DISH, {"pho-bo"}),
    # an eatery's name, and diacritics that tell words apart (cửa is not cua)
    ("Quán Cửa Biển", EATERY, {"quan-cua-bien"}),
    ("cửa biển", EATERY, {"quan-cua-bien"}),
    ("cửa", EATERY, {"quan-cua-bien"}),
    ("Bánh mì cay Bà Già", EATERY, {"banh-mi-cay-ba-gia"}),
    ("xưởng cưa", EATERY, {"ca-phe-xuong-cua"}),
    # nonsense
    ("xyzzy qwerty", NOTHING, set()),
    ("zzzzzz", NOTHING, set()),
]


def _relevant(hit: dict, kind: str, expected: set[str]) -> bool:
    if kind == EATERY:
        return hit["eatery"]["slug"] in expected
    return bool(hit["dishes"]) and hit["dishes"][0]["slug"] in expected


async def _rank(client, query: str, kind: str, expected: set[str]) -> int | None:
    r = await client.get("/api/v1/search", params={"q": query, "limit": 10})
    assert r.status_code == 200, r.text
    hits = r.json()["items"]
    if kind == NOTHING:
        return 1 if not hits else None
    return next((i + 1 for i, hit in enumerate(hits) if _relevant(hit, kind, expected)), None)


async def test_relevance_over_the_query_set(client):
    assert len(QUERIES) >= 40
    ranks = {q: await _rank(client, q, kind, expected) for q, kind, expected in QUERIES}
    recall_at_5 = sum(1 for r in ranks.values() if r is not None and r <= 5) / len(ranks)
    mrr = sum(1 / r for r in ranks.values() if r) / len(ranks)
    missed = {q: r for q, r in ranks.items() if r != 1}
    print(f"\nsearch relevance over {len(ranks)} queries: recall@5={recall_at_5:.3f} MRR={mrr:.3f}")
    print(f"not ranked first: {missed}")
    assert recall_at_5 >= 0.95, missed
    assert mrr >= 0.9, missed


@pytest.mark.parametrize(
    "query", ["banh da cua", "BÁNH ĐA CUA", "bánh đa cua", "banh đa cua", nfd("bánh đa cua")]
)
async def test_spellings_find_the_same_eateries(client, query):
    reference = await client.get("/api/v1/search", params={"q": "bánh đa cua", "limit": 50})
    r = await client.get("/api/v1/search", params={"q": query, "limit": 50})
    assert {h["eatery"]["id"] for h in r.json()["items"]} == {
        h["eatery"]["id"] for h in reference.json()["items"]
    }
