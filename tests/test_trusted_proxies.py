"""TOURISM_TRUSTED_PROXIES: X-Forwarded-For names the client only when a trusted proxy sends it."""

import secrets
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.conftest import PASSWORD
from tourism.config import Settings
from tourism.main import create_app
from tourism.proxies import parse_networks, resolve_client

TRUSTED = parse_networks("10.0.0.0/8, 192.168.1.7, ::1")
REGISTER = "/api/v1/auth/register"


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        # No trusted proxy in between: the header is whatever the client wrote; ignored.
        ("203.0.113.9", ["1.2.3.4"], "203.0.113.9"),
        ("203.0.113.9", [], "203.0.113.9"),
        # A trusted proxy appends its own peer: the right-most address not a proxy.
        ("10.1.2.3", ["1.2.3.4"], "1.2.3.4"),
        ("192.168.1.7", ["1.2.3.4"], "1.2.3.4"),
        ("::1", ["1.2.3.4"], "1.2.3.4"),
        # A client's own (spoofed) entries sit to the left of what the proxy appended.
        ("10.1.2.3", ["6.6.6.6, 1.2.3.4"], "1.2.3.4"),
        ("10.1.2.3", ["6.6.6.6", "1.2.3.4"], "1.2.3.4"),
        # Proxy behind proxy: both trusted, skipped.
        ("10.1.2.3", ["6.6.6.6, 1.2.3.4, 10.9.9.9"], "1.2.3.4"),
        ("10.1.2.3", ["garbage, 1.2.3.4"], "1.2.3.4"),
        # A trusted peer that names nobody, or only proxies.
        ("10.1.2.3", [], "10.1.2.3"),
        ("10.1.2.3", ["10.4.4.4, 10.5.5.5"], "10.4.4.4"),
        ("::ffff:10.1.2.3", ["1.2.3.4"], "1.2.3.4"),
        (None, ["1.2.3.4"], "unknown"),
    ],
)
def test_the_resolver(peer, forwarded, client):
    assert resolve_client(peer, forwarded, TRUSTED) == client


def test_with_no_trusted_proxies_the_header_is_never_read():
    assert resolve_client("10.1.2.3", ["1.2.3.4"], ()) == "10.1.2.3"
    assert resolve_client("127.0.0.1", ["1.2.3.4"], ()) == "127.0.0.1"


def test_a_bad_entry_is_refused_at_startup():
    with pytest.raises(ValueError, match="TOURISM_TRUSTED_PROXIES: 'proxy.example' is not"):
        Settings(trusted_proxies="10.0.0.1, proxy.example", environment="test")
    assert Settings(trusted_proxies=" 10.0.0.0/8 ,::1 ", environment="test").trusted_networks == (
        parse_networks("10.0.0.0/8,::1")
    )


@pytest.fixture
async def proxied_app(settings: Settings, seeded) -> AsyncIterator:
    """The app behind a proxy at 10.0.0.0/8, one registration an hour per address."""
    behind = settings.model_copy(
        update={"trusted_proxies": "10.0.0.0/8", "registrations_per_address_hour": 1}
    )
    application = create_app(behind, background=False)
    async with application.router.lifespan_context(application):
        yield application


def _address() -> str:
    """A public-looking address no other test uses (buckets live in the shared database)."""
    return "198.51." + ".".join(str(b) for b in secrets.token_bytes(2))


async def _register(app, peer: str, forwarded_for: str) -> int:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=(peer, 4711))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        body = {
            "email": f"proxied-{secrets.token_hex(4)}@example.vn",
            "password": PASSWORD,
            "display_name": "Lan",
        }
        r = await http.post(REGISTER, json=body, headers={"X-Forwarded-For": forwarded_for})
        assert r.status_code in (201, 429), r.text
        return r.status_code


async def test_the_rate_limit_keys_on_whom_a_trusted_proxy_names(proxied_app):
    tourist, other = _address(), _address()
    # Through the proxy: the tourist's one registration, then refused, wherever the proxy is.
    assert await _register(proxied_app, "10.0.0.5", tourist) == 201
    assert await _register(proxied_app, "10.0.0.6", f"6.6.6.6, {tourist}") == 429
    # Another tourist behind the same proxy is not held by the first one's limit.
    assert await _register(proxied_app, "10.0.0.5", other) == 201


async def test_a_spoofed_header_from_an_untrusted_peer_is_ignored(proxied_app):
    peer, spoofed = _address(), _address()
    assert await _register(proxied_app, peer, spoofed) == 201
    # Changing the header does not make a new client: the peer is the client, and it is spent.
    assert await _register(proxied_app, peer, _address()) == 429
    # ... and the address it claimed to be was never charged.
    assert await _register(proxied_app, "10.0.0.5", spoofed) == 201
