"""The client's address: the peer's, or the one a trusted reverse proxy names.

One resolver for every place that keys on the client (rate limits, QR scans). `X-Forwarded-For`
is read only when the peer is a trusted proxy (`TOURISM_TRUSTED_PROXIES`); each proxy appends the
address it received the request from, so the client is the right-most address that is not itself
a trusted proxy. Anything a client writes into the header lies to the left of that and is ignored.
`foodtour run` gives uvicorn the same list (`forwarded_allow_ips`), and uvicorn's middleware picks
the same address, so the two agree.
"""

from collections.abc import Iterable
from ipaddress import ip_address

from tourism.config import Network, parse_networks

__all__ = ["Network", "UNKNOWN", "is_trusted", "parse_networks", "resolve_client"]

UNKNOWN = "unknown"
MAX_ADDRESS_LENGTH = 64


def is_trusted(address: str, trusted: Iterable[Network]) -> bool:
    try:
        ip = ip_address(address)
    except ValueError:
        return False
    if getattr(ip, "ipv4_mapped", None) is not None:
        ip = ip.ipv4_mapped  # ::ffff:10.0.0.1 from a dual-stack socket is 10.0.0.1
    return any(ip in network for network in trusted)


def resolve_client(
    peer: str | None, forwarded_for: Iterable[str], trusted: tuple[Network, ...]
) -> str:
    """The client's address from the peer and every `X-Forwarded-For` header value."""
    if not peer:
        return UNKNOWN
    if not trusted or not is_trusted(peer, trusted):
        return peer
    hops = [hop.strip() for value in forwarded_for for hop in value.split(",")]
    hops = [hop for hop in hops if hop]
    for hop in reversed(hops):
        if not is_trusted(hop, trusted):
            return hop[:MAX_ADDRESS_LENGTH]
    # No header, or every hop a trusted proxy: the left-most is as far as anyone can tell.
    return hops[0][:MAX_ADDRESS_LENGTH] if hops else peer
