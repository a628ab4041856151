"""Decide whether an IP address is public enough to fetch from.

The tracker follows URLs found in untrusted articles, so every address it is about to connect to
goes through `check_address` first: only globally routable unicast addresses pass, plus whatever
the user explicitly allows (`[fetch] allow_private`). The tables are written out here rather than
taken from `ipaddress.is_global`, whose answers have changed between Python patch releases.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from ipaddress import (
    IPv4Address,
    IPv4Network,
    IPv6Address,
    IPv6Network,
    ip_address,
    ip_network,
)

from tracker.errors import TrackerError

__all__ = ["BlockedAddress", "check_address", "parse_allowlist"]

IPNetwork = IPv4Network | IPv6Network
IPAddress = IPv4Address | IPv6Address


class BlockedAddress(TrackerError):
    """An address that is not globally routable and not on the allowlist.

    `address` is the address that was checked, `reason` a short category such as "private" or
    "link-local", and `embedded` the IPv4 address hidden inside a 6to4/NAT64 address, if any.
    """

    def __init__(self, address: str, reason: str, embedded: str | None = None) -> None:
        self.address = address
        self.reason = reason
        self.embedded = embedded
        if embedded is None:
            message = f"{address} is {_article(reason)} {reason} address"
        else:
            message = f"{address} embeds {embedded}, which is {_article(reason)} {reason} address"
        super().__init__(message)


# Most specific first: the first match names the reason. Anything not listed is global.
_V4_SPECIAL: list[tuple[IPv4Network, str]] = [
    (IPv4Network("0.0.0.0/32"), "unspecified"),
    (IPv4Network("0.0.0.0/8"), "reserved"),  # "this network"
    (IPv4Network("10.0.0.0/8"), "private"),
    (IPv4Network("100.64.0.0/10"), "carrier-grade NAT"),
    (IPv4Network("127.0.0.0/8"), "loopback"),
    (IPv4Network("169.254.0.0/16"), "link-local"),  # includes cloud metadata 169.254.169.254
    (IPv4Network("172.16.0.0/12"), "private"),
    (IPv4Network("192.0.0.0/24"), "reserved"),  # IETF protocol assignments
    (IPv4Network("192.0.2.0/24"), "documentation"),
    (IPv4Network("192.88.99.0/24"), "reserved"),  # deprecated 6to4 relay anycast
    (IPv4Network("192.168.0.0/16"), "private"),
    (IPv4Network("198.18.0.0/15"), "benchmarking"),
    (IPv4Network("198.51.100.0/24"), "documentation"),
    (IPv4Network("203.0.113.0/24"), "documentation"),
    (IPv4Network("224.0.0.0/4"), "multicast"),
    (IPv4Network("255.255.255.255/32"), "broadcast"),
    (IPv4Network("240.0.0.0/4"), "reserved"),
]

_V6_SPECIAL: list[tuple[IPv6Network, str]] = [
    (IPv6Network("::/128"), "unspecified"),
    (IPv6Network("::1/128"), "loopback"),
    # A dual-stack socket connects ::ffff:a.b.c.d over IPv4; no honest DNS answer is one.
    (IPv6Network("::ffff:0:0/96"), "IPv4-mapped"),
    (IPv6Network("64:ff9b:1::/48"), "private"),  # local-use NAT64
    (IPv6Network("100::/64"), "reserved"),  # discard-only
    (IPv6Network("2001::/32"), "Teredo"),  # tunnels to an IPv4 address we cannot vet
    (IPv6Network("2001::/23"), "reserved"),  # IETF protocol assignments
    (IPv6Network("2001:db8::/32"), "documentation"),
    (IPv6Network("3fff::/20"), "documentation"),
    (IPv6Network("fc00::/7"), "private"),  # unique local
    (IPv6Network("fe80::/10"), "link-local"),
    (IPv6Network("fec0::/10"), "site-local"),
    (IPv6Network("ff00::/8"), "multicast"),
]

_GLOBAL_UNICAST = IPv6Network("2000::/3")
_SIX_TO_FOUR = IPv6Network("2002::/16")
_NAT64 = IPv6Network("64:ff9b::/96")


def parse_allowlist(entries: Iterable[str]) -> list[IPNetwork]:
    """Parse addresses and CIDR blocks ("127.0.0.1", "10.0.0.0/8", "fd00::/8") into networks.

    Host bits must be zero ("10.0.0.1/8" is rejected): a typo there would silently widen or
    narrow what is allowed.
    """
    networks: list[IPNetwork] = []
    for entry in entries:
        text = str(entry).strip()
        try:
            networks.append(ip_network(text, strict=True))
        except ValueError as exc:
            raise ValueError(
                f"allow_private entry {entry!r} is not an IP address or CIDR block "
                f"(examples: 127.0.0.1, 10.0.0.0/8, fd00::/8): {exc}"
            ) from None
    return networks


def check_address(ip: str, allow: Sequence[IPNetwork] = ()) -> None:
    """Raise BlockedAddress unless `ip` is globally routable or inside an `allow` network.

    The allowlist is matched literally: allowing 127.0.0.1 does not allow ::ffff:127.0.0.1.
    """
    try:
        address = ip_address(ip)
    except ValueError:
        raise BlockedAddress(str(ip), "unparseable") from None
    if address.version == 6 and address.scope_id:
        # fe80::1%eth0 is link-local whatever the allowlist says about fe80::1
        raise BlockedAddress(_display(address), "link-local")
    if any(address in network for network in allow):
        return
    reason = _special_reason(address)
    if reason is not None:
        raise BlockedAddress(_display(address), reason)
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        inner = _special_reason(embedded)
        if inner is not None:
            raise BlockedAddress(_display(address), inner, embedded=str(embedded))


def _special_reason(address: IPAddress) -> str | None:
    if isinstance(address, IPv4Address):
        for network, reason in _V4_SPECIAL:
            if address in network:
                return reason
        return None
    for network, reason in _V6_SPECIAL:
        if address in network:
            return reason
    if address in _NAT64:
        return None  # judged by the IPv4 address it embeds
    if address not in _GLOBAL_UNICAST:
        return "reserved"
    return None


def _embedded_ipv4(address: IPAddress) -> IPv4Address | None:
    """The IPv4 address a 6to4 or well-known-prefix NAT64 address would reach."""
    if isinstance(address, IPv4Address):
        return None
    if address in _SIX_TO_FOUR:
        return address.sixtofour
    if address in _NAT64:
        return IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _display(address: IPAddress) -> str:
    # Python before 3.13 prints ::ffff:127.0.0.1 as ::ffff:7f00:1, which hides what it is.
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        return f"::ffff:{address.ipv4_mapped}"
    return str(address)


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" or word.startswith("IPv4") else "a"
