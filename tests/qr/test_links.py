import string
import unicodedata
from urllib.parse import parse_qs, urlsplit

import pytest

from qr.links import (
    BASE62,
    Dish,
    Eatery,
    Search,
    Station,
    deep_link,
    is_code,
    random_code,
    short_url,
)

WEB = "https://amthuc.haiphong.example/"


def test_codes_are_base62_random_and_at_least_seven_characters():
    codes = {random_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(c) == 8 and set(c) <= set(BASE62) and is_code(c) for c in codes)
    # Every symbol is used: not a counter, not hex.
    assert set("".join(codes)) == set(string.digits + string.ascii_letters)
    with pytest.raises(ValueError):
        random_code(6)
    assert not is_code("abc") and not is_code("abcdefg!") and not is_code("a" * 17)


def test_search_link_percent_encodes_vietnamese_as_utf8():
    link = deep_link(
        WEB, Search("bánh đa cua"), campaign="tet-2027", placement="Nhà hát Lớn", source="dept"
    )
    assert link == (
        "https://amthuc.haiphong.example/search?q=b%C3%A1nh%20%C4%91a%20cua"
        "&utm_source=dept&utm_medium=qr&utm_campaign=tet-2027"
        "&utm_content=Nh%C3%A0%20h%C3%A1t%20L%E1%BB%9Bn"
    )
    query = parse_qs(urlsplit(link).query)
    assert query["q"] == ["bánh đa cua"]
    assert query["utm_content"] == ["Nhà hát Lớn"]


def test_decomposed_text_gives_the_same_link_as_composed():
    typed = unicodedata.normalize("NFD", "bánh đa cua")
    assert typed != "bánh đa cua"
    links = {
        deep_link(WEB, Search(text), campaign="c", source="s") for text in (typed, "bánh đa cua")
    }
    assert len(links) == 1


def test_reserved_characters_in_text_stay_inside_their_parameter():
    link = deep_link(WEB, Search("cơm & phở=ngon?#1"), campaign="c", placement="a/b", source="s")
    query = parse_qs(urlsplit(link).query)
    assert query["q"] == ["cơm & phở=ngon?#1"]
    assert query["utm_content"] == ["a/b"]
    assert "#" not in link


def test_every_target_kind():
    kw = {"campaign": "he-2027", "source": "vendor"}
    dish = urlsplit(deep_link(WEB, Dish("banh-da-cua", "Bánh đa cua"), **kw))
    assert dish.path == "/search"
    assert parse_qs(dish.query) == {
        "q": ["Bánh đa cua"],
        "dish": ["banh-da-cua"],
        "utm_source": ["vendor"],
        "utm_medium": ["qr"],
        "utm_campaign": ["he-2027"],
    }
    assert deep_link(WEB, Eatery(12), **kw).startswith(f"{WEB}eateries/12?utm_source=vendor")
    assert deep_link(WEB, Station("hp 001/x"), **kw).startswith(f"{WEB}stations/hp%20001%2Fx?")
    with pytest.raises(TypeError):
        deep_link(WEB, "banh", **kw)


def test_short_url():
    assert short_url("https://api.example/", "AbC12345") == "https://api.example/q/AbC12345"
    with pytest.raises(ValueError):
        short_url("https://api.example", "../x")
