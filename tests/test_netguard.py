"""Which addresses the fetcher may reach: examples for each category, then properties."""

from __future__ import annotations

from ipaddress import IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.fetch.addresses import BlockedAddress, check_address, parse_allowlist

REFUSED = {
    "127.0.0.1": "loopback",
    "127.255.0.9": "loopback",
    "10.0.0.1": "private",
    "172.16.5.4": "private",
    "192.168.1.1": "private",
    "169.254.169.254": "link-local",  # cloud metadata
    "100.64.0.1": "carrier-grade NAT",
    "100.127.255.254": "carrier-grade NAT",
    "0.0.0.0": "unspecified",
    "0.1.2.3": "reserved",
    "224.0.0.1": "multicast",
    "239.255.255.250": "multicast",
    "240.0.0.1": "reserved",
    "255.255.255.255": "broadcast",
    "192.0.2.10": "documentation",
    "198.18.0.1": "benchmarking",
    "::": "unspecified",
    "::1": "loopback",
    "::ffff:127.0.0.1": "IPv4-mapped",
    "::ffff:10.0.0.1": "IPv4-mapped",
    "::ffff:8.8.8.8": "IPv4-mapped",
    "fe80::1": "link-local",
    "fe80::1%eth0": "link-local",
    "fc00::1": "private",
    "fd12:3456::1": "private",
    "ff02::1": "multicast",
    "2001:db8::1": "documentation",
    "2001::1": "Teredo",
    "64:ff9b:1::a00:1": "private",
    "100::1": "reserved",
    "4000::1": "reserved",
}
EMBEDDED = {
    "2002:a00:1::1": ("10.0.0.1", "private"),  # 6to4
    "2002:7f00:1::": ("127.0.0.1", "loopback"),
    "2002:a9fe:a9fe::1": ("169.254.169.254", "link-local"),
    "64:ff9b::a00:1": ("10.0.0.1", "private"),  # NAT64 well-known prefix
    "64:ff9b::a9fe:a9fe": ("169.254.169.254", "link-local"),
}
ALLOWED = [
    "8.8.8.8",
    "1.1.1.1",
    "93.184.216.34",
    "100.128.0.1",
    "2606:4700::1111",
    "2002:808:808::1",
    "64:ff9b::808:808",
    "2a00:1450:4001::200e",
]


@pytest.mark.parametrize(("ip", "reason"), REFUSED.items())
def test_non_global_addresses_are_refused(ip, reason):
    with pytest.raises(BlockedAddress) as caught:
        check_address(ip, [])
    assert caught.value.reason == reason and reason in str(caught.value)


@pytest.mark.parametrize(("ip", "inner"), EMBEDDED.items())
def test_embedded_non_global_ipv4_is_refused(ip, inner):
    with pytest.raises(BlockedAddress) as caught:
        check_address(ip, [])
    assert (caught.value.embedded, caught.value.reason) == inner
    assert str(caught.value) == f"{ip} embeds {inner[0]}, which is a {inner[1]} address"


@pytest.mark.parametrize("ip", ALLOWED)
def test_global_addresses_pass(ip):
    check_address(ip, [])


def test_message_reads_as_a_sentence():
    with pytest.raises(BlockedAddress, match=r"^10\.0\.0\.1 is a private address$"):
        check_address("10.0.0.1", [])
    with pytest.raises(BlockedAddress, match=r"^::ffff:127\.0\.0\.1 is an IPv4-mapped address$"):
        check_address("::ffff:127.0.0.1", [])


def test_allowlist_admits_exactly_what_it_lists():
    allow = parse_allowlist(["127.0.0.1", "10.1.0.0/16"])
    check_address("127.0.0.1", allow)
    check_address("10.1.200.3", allow)
    for ip in ("127.0.0.2", "10.2.0.1", "::ffff:127.0.0.1", "::1", "169.254.169.254"):
        with pytest.raises(BlockedAddress):
            check_address(ip, allow)


def test_garbage_is_refused_not_crashed_on():
    with pytest.raises(BlockedAddress):
        check_address("not-an-ip", [])


@pytest.mark.parametrize("entry", ["localhost", "10.0.0.1/8", "300.1.1.1", "", "10.0.0.0/33", "fe80::/129"])
def test_parse_allowlist_rejects_junk_clearly(entry):
    with pytest.raises(ValueError, match=r"allow_private entry .* is not an IP address or CIDR block"):
        parse_allowlist([entry])


def test_parse_allowlist_accepts_addresses_and_blocks():
    assert parse_allowlist([" 127.0.0.1 ", "fd00::/8", "10.0.0.0/8"]) == [
        ip_network("127.0.0.1/32"),
        ip_network("fd00::/8"),
        ip_network("10.0.0.0/8"),
    ]


# --- properties ---------------------------------------------------------------------------------

v4 = st.ip_addresses(v=4)
v6 = st.ip_addresses(v=6)


def _refused(ip, allow=()) -> bool:
    try:
        check_address(str(ip), list(allow))
    except BlockedAddress:
        return True
    return False


@given(v4)
def test_passing_ipv4_is_global_by_every_stdlib_measure(ip):
    if not _refused(ip):
        assert not (
            ip.is_private
            or ip.is_loopback
            or ip.is_link_local
            or ip.is_multicast
            or ip.is_reserved
            or ip.is_unspecified
        )
        assert ip not in IPv4Network("100.64.0.0/10")


@given(v6)
def test_passing_ipv6_is_global_unicast(ip):
    if not _refused(ip):
        assert not (ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_unspecified or ip.is_site_local)
        assert ip.ipv4_mapped is None
        assert ip in IPv6Network("2000::/3") or ip in IPv6Network("64:ff9b::/96")


@given(
    st.sampled_from(
        [
            "10.0.0.0/8",
            "172.16.0.0/12",
            "192.168.0.0/16",
            "127.0.0.0/8",
            "169.254.0.0/16",
            "100.64.0.0/10",
            "224.0.0.0/4",
            "240.0.0.0/4",
            "0.0.0.0/8",
            "fc00::/7",
            "fe80::/10",
            "ff00::/8",
        ]
    ).flatmap(lambda net: st.ip_addresses(network=net))
)
def test_every_address_in_a_special_block_is_refused(ip):
    assert _refused(ip)


@given(v4)
def test_ipv4_mapped_is_always_refused(ip):
    assert _refused(IPv6Address(f"::ffff:{ip}"))


@given(v4)
def test_6to4_is_judged_by_the_embedded_ipv4(ip):
    six_to_four = IPv6Address((0x2002 << 112) | (int(ip) << 80) | 1)
    assert six_to_four.sixtofour == ip
    assert _refused(six_to_four) == _refused(ip)


@given(v4)
def test_nat64_is_judged_by_the_embedded_ipv4(ip):
    nat64 = IPv6Address(int(IPv6Address("64:ff9b::")) | int(ip))
    assert _refused(nat64) == _refused(ip)


@given(st.one_of(v4, v6), st.integers(min_value=0, max_value=128))
def test_allowlist_admits_its_own_networks(ip, prefix):
    network = ip_network(f"{ip}/{min(prefix, ip.max_prefixlen)}", strict=False)
    assert not _refused(ip, [network])
    assert parse_allowlist([str(network)]) == [network]


@given(st.one_of(v4, v6), st.one_of(v4, v6))
def test_allowlist_admits_nothing_else(ip, allowed):
    assert _refused(ip, [ip_network(allowed)]) == (_refused(ip) and ip != allowed)


@settings(max_examples=50)
@given(st.text(max_size=20))
def test_check_address_only_ever_raises_blocked_address(text):
    try:
        check_address(text, [])
    except BlockedAddress:
        return
    assert not _refused(ip_address(text))  # only a real, global address gets through
