"""The guard: an httpx transport that only ever connects to addresses the fetcher may reach.

Every hop is checked before any packet is sent (scheme, port, and every address the host resolves
to), and the connection goes to the checked address itself (no second DNS lookup to rebind). One
deadline bounds every read and write of a connection.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from ipaddress import ip_address

import httpcore
import httpx

from tracker.errors import FetchError
from tracker.fetch import FetchSettings
from tracker.fetch.addresses import BlockedAddress, check_address, parse_allowlist
from tracker.urls import host_is_encodable

Resolver = Callable[[str, int], list[str]]

DEFAULT_PORTS = frozenset({80, 443})
_HOST_NAME = re.compile(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?")


class GuardedTransport(httpx.HTTPTransport):
    """An httpx transport that only reaches public addresses on allowed schemes and ports.

    The host is resolved once per connection, every address is checked, and the socket is opened
    to a checked address; the URL is left alone, so the Host header, TLS SNI and certificate
    verification all still use the original host name.
    """

    def __init__(self, policy: FetchSettings, *, resolver: Resolver | None = None) -> None:
        ssl_context = _ssl_context()
        super().__init__(verify=ssl_context, trust_env=False)
        self._ports = DEFAULT_PORTS | set(policy.allow_ports)
        self._backend = _GuardedBackend(parse_allowlist(policy.allow_private), resolver or _system_resolver)
        limits = httpx.Limits()
        # httpx has no parameter for the network backend, so swap in a pool that uses ours.
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=self._backend,
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        check_url(request.url, self._ports)
        return super().handle_request(request)

    @contextlib.contextmanager
    def deadline(self, when: float) -> Iterator[None]:
        """Make every socket operation in this thread give up at `when` (time.monotonic())."""
        previous = getattr(self._backend.local, "deadline", None)
        self._backend.local.deadline = when
        try:
            yield
        finally:
            self._backend.local.deadline = previous


def _ssl_context() -> ssl.SSLContext:
    # Always verifying. SSL_CERT_FILE (OpenSSL's own variable) names another CA bundle, for sites
    # behind a company CA; otherwise certifi's bundle, as httpx uses.
    import certifi

    return ssl.create_default_context(cafile=os.environ.get("SSL_CERT_FILE") or certifi.where())


def check_url(url: httpx.URL, ports: set[int] | frozenset[int]) -> None:
    if url.scheme not in ("http", "https"):
        raise FetchError("blocked_scheme", f"refused: {url.scheme}: URLs are not fetched (only http and https)")
    # raw_host, not host: `host` decodes an "xn--" label and raises on one that is not Punycode.
    host = url.raw_host.decode("ascii", "replace")
    if not host:
        raise FetchError("bad_url", f"not a fetchable URL (no host): {url}")
    if not _HOST_NAME.fullmatch(host) and not _is_ip(host):
        # httpx percent-encodes what a host name cannot hold; never hand that to DNS.
        raise FetchError("bad_url", f"not a fetchable URL (bad host name {host!r}): {url}")
    if not host_is_encodable(host):
        raise FetchError("bad_url", f"not a fetchable URL (its host name {host!r} cannot be encoded, IDNA): {url}")
    port = url.port or (443 if url.scheme == "https" else 80)
    if port not in ports:
        raise FetchError(
            "blocked_port",
            f"refused: port {port} is not fetched (only 80 and 443; allow it with [fetch] allow_ports)",
        )


def _is_ip(text: str) -> bool:
    try:
        ip_address(text)
    except ValueError:
        return False
    return True


def _system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class _GuardedBackend(httpcore.NetworkBackend):
    def __init__(self, allow: list, resolver: Resolver) -> None:
        self._allow = allow
        self._resolver = resolver
        self._inner = httpcore.SyncBackend()
        self.local = threading.local()  # the deadline of the fetch running in this thread

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        addresses = self._resolve(host, port)
        # A host is refused if any answer is: mixed public/private answers are a rebinding smell.
        for address in addresses:
            try:
                check_address(address, self._allow)
            except BlockedAddress as exc:
                via = "" if address == host else f"{host} resolves to it; "
                message = f"refused: {exc} ({via}allow it with [fetch] allow_private)"
                raise FetchError("blocked_address", message) from None
        failure: Exception | None = None
        for address in addresses:
            try:
                stream = self._inner.connect_tcp(
                    address,
                    port,
                    timeout=self.clamp(timeout, httpcore.ConnectTimeout),
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
                continue
            return _DeadlineStream(stream, self)
        assert failure is not None
        raise failure

    def _resolve(self, host: str, port: int) -> list[str]:
        if _is_ip(host):
            return [host]
        try:
            addresses = list(self._resolver(host, port))
        except OSError as exc:
            raise FetchError("dns", f"DNS lookup for {host} failed: {exc}") from None
        if not addresses:
            raise FetchError("dns", f"DNS lookup for {host} returned no addresses")
        return addresses

    def clamp(self, timeout: float | None, error: type[Exception] = httpcore.ReadTimeout) -> float | None:
        """The socket timeout to use now: never past this thread's fetch deadline."""
        deadline = getattr(self.local, "deadline", None)
        if deadline is None:
            return timeout
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise error("the fetch deadline has passed")
        return remaining if timeout is None else min(timeout, remaining)

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class _DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every read and write stops at the fetch deadline.

    Per-read timeouts alone cannot stop a server that drips one byte per second forever.
    """

    def __init__(self, inner: httpcore.NetworkStream, backend: _GuardedBackend) -> None:
        self._inner = inner
        self._backend = backend

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._backend.clamp(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._backend.clamp(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None):
        timeout = self._backend.clamp(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, timeout), self._backend)

    def get_extra_info(self, info: str):
        return self._inner.get_extra_info(info)
