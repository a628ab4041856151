"""Fetch cited pages over HTTP(S), safely and unattended.

URLs come from untrusted articles and are fetched from a scheduler, so the fetcher assumes the
worst: every hop is checked before any packet is sent (scheme, port, and every address the host
resolves to), the connection goes to the checked address itself (no second DNS lookup to rebind),
redirects are followed here rather than by httpx so each one is checked and recorded, the body is
decompressed here under a size cap, and one deadline bounds the whole fetch. Network and HTTP
problems never raise: they are recorded on the `Attempt` and the `FetchResult`.
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import re
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http.cookiejar import CookieJar, DefaultCookiePolicy
from ipaddress import ip_address

import httpcore
import httpx

from tracker.errors import TrackerError
from tracker.fetch import FetchSettings
from tracker.fetch.addresses import BlockedAddress, check_address, parse_allowlist

try:  # optional: only advertised when installed and able to decode under a size limit
    import brotli
except ImportError:  # pragma: no cover - depends on the environment
    brotli = None
else:
    if not hasattr(brotli.Decompressor(), "can_accept_more_data"):  # brotli < 1.2 cannot cap output
        brotli = None
try:
    import zstandard
except ImportError:  # pragma: no cover - depends on the environment
    zstandard = None

__all__ = ["Attempt", "FetchError", "FetchResult", "Fetcher", "GuardedTransport"]

Resolver = Callable[[str, int], list[str]]

_KEPT_HEADERS = (
    "content-type",
    "content-length",
    "content-encoding",
    "etag",
    "last-modified",
    "location",
    "retry-after",
)
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_DEFAULT_PORTS = frozenset({80, 443})
_HOST_NAME = re.compile(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?")
_PIECE = 64 * 1024  # most decoded bytes produced per step, whatever the compression ratio


@dataclass
class Attempt:
    """One HTTP request: one redirect hop, or one retry of it."""

    url: str
    started_at: datetime
    seconds: float
    status: int | None
    error: str | None
    error_kind: str | None
    redirect_to: str | None
    headers: dict[str, str]
    retry: int


@dataclass
class FetchResult:
    """Everything one `Fetcher.fetch` did and got."""

    requested_url: str
    final_url: str | None
    attempts: list[Attempt]
    status: int | None
    body: bytes | None
    content_type: str | None
    declared_charset: str | None
    etag: str | None
    last_modified: str | None
    error: str | None
    error_kind: str | None

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.body is not None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class FetchError(TrackerError):
    """A request refused or abandoned by the fetcher itself; `kind` is the `error_kind` token.

    Raised by `GuardedTransport` (blocked_scheme, blocked_port, blocked_address, dns) and used
    inside `Fetcher`; `Fetcher.fetch` records it instead of raising.
    """

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


# --- the guard --------------------------------------------------------------------------------


class GuardedTransport(httpx.HTTPTransport):
    """An httpx transport that only reaches public addresses on allowed schemes and ports.

    The host is resolved once per connection, every address is checked, and the socket is opened
    to a checked address; the URL is left alone, so the Host header, TLS SNI and certificate
    verification all still use the original host name.
    """

    def __init__(self, policy: FetchSettings, *, resolver: Resolver | None = None) -> None:
        ssl_context = _ssl_context()
        super().__init__(verify=ssl_context, trust_env=False)
        self._ports = _DEFAULT_PORTS | set(policy.allow_ports)
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
        _check_url(request.url, self._ports)
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


def _check_url(url: httpx.URL, ports: set[int] | frozenset[int]) -> None:
    if url.scheme not in ("http", "https"):
        raise FetchError("blocked_scheme", f"refused: {url.scheme}: URLs are not fetched (only http and https)")
    if not url.host:
        raise FetchError("bad_url", f"not a fetchable URL (no host): {url}")
    host = url.raw_host.decode("ascii", "replace")
    if not _HOST_NAME.fullmatch(host) and not _is_ip(host):
        # httpx percent-encodes what a host name cannot hold; never hand that to DNS.
        raise FetchError("bad_url", f"not a fetchable URL (bad host name {url.host!r}): {url}")
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


# --- content decoding -------------------------------------------------------------------------


def _inflate(chunks: Iterable[bytes], wbits: int | None) -> Iterator[bytes]:
    """zlib/gzip/raw deflate, never producing more than _PIECE bytes per step.

    wbits None means "deflate": zlib-wrapped by the spec, raw in practice from some servers.
    """
    decoder = None
    for chunk in chunks:
        data = chunk
        while data:
            if decoder is None:
                decoder = zlib.decompressobj(_deflate_wbits(data) if wbits is None else wbits)
            out = decoder.decompress(data, _PIECE)
            data = decoder.unconsumed_tail
            if decoder.eof:
                data = data or decoder.unused_data  # another gzip member follows
                decoder = None
            if out:
                yield out
    if decoder is not None:
        tail = decoder.flush()
        if tail:
            yield tail


def _deflate_wbits(first: bytes) -> int:
    if len(first) >= 2 and first[0] & 0x0F == 8 and (first[0] << 8 | first[1]) % 31 == 0:
        return zlib.MAX_WBITS
    return -zlib.MAX_WBITS


def _unbrotli(chunks: Iterable[bytes]) -> Iterator[bytes]:
    decoder = brotli.Decompressor()
    for chunk in chunks:
        out = decoder.process(chunk, output_buffer_limit=_PIECE)
        while True:
            if out:
                yield out
            if decoder.can_accept_more_data():
                break
            out = decoder.process(b"", output_buffer_limit=_PIECE)


class _ChunkReader:
    """A file-like view of an iterator of chunks, for zstandard's pull-based reader."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._buffer = b""

    def read(self, size: int = -1) -> bytes:
        while not self._buffer:
            try:
                self._buffer = next(self._chunks)
            except StopIteration:
                return b""
        if size is None or size < 0:
            size = len(self._buffer)
        out, self._buffer = self._buffer[:size], self._buffer[size:]
        return out


def _unzstd(chunks: Iterable[bytes]) -> Iterator[bytes]:
    reader = zstandard.ZstdDecompressor().stream_reader(_ChunkReader(chunks), read_across_frames=True)
    while piece := reader.read(_PIECE):
        yield piece


_DECODERS: dict[str, Callable[[Iterable[bytes]], Iterator[bytes]]] = {
    "gzip": lambda chunks: _inflate(chunks, 16 + zlib.MAX_WBITS),
    "x-gzip": lambda chunks: _inflate(chunks, 16 + zlib.MAX_WBITS),
    "deflate": lambda chunks: _inflate(chunks, None),
}
_DECODE_ERRORS: tuple[type[Exception], ...] = (zlib.error,)
if brotli is not None:
    _DECODERS["br"] = _unbrotli
    _DECODE_ERRORS += (brotli.error,)
if zstandard is not None:
    _DECODERS["zstd"] = _unzstd
    _DECODE_ERRORS += (zstandard.ZstdError,)
ACCEPT_ENCODING = ", ".join(name for name in _DECODERS if name != "x-gzip")


def _decoded(chunks: Iterable[bytes], content_encoding: str | None) -> Iterator[bytes]:
    names = [n.strip().lower() for n in (content_encoding or "").split(",")]
    names = [n for n in names if n and n != "identity"]
    for name in reversed(names):  # the server applied them left to right
        if name not in _DECODERS:
            message = f"unsupported Content-Encoding {name!r} (supported: {ACCEPT_ENCODING})"
            raise FetchError("protocol", message)
        chunks = _DECODERS[name](chunks)
    return iter(chunks)


# --- the fetcher ------------------------------------------------------------------------------


@dataclass
class _Hop:
    attempt: Attempt
    body: bytes | None = None
    headers: httpx.Headers = field(default_factory=httpx.Headers)
    retry_after: float | None = None
    retryable: bool = True


class Fetcher:
    """Fetch URLs under a `FetchSettings`; one instance can serve many fetches (keep-alive)."""

    def __init__(self, policy: FetchSettings, *, resolver: Resolver | None = None) -> None:
        self.policy = policy
        self._ports = _DEFAULT_PORTS | set(policy.allow_ports)
        self._transport = GuardedTransport(policy, resolver=resolver)
        # trust_env=False: an HTTP(S)_PROXY variable would otherwise route around the guard.
        self._client = httpx.Client(
            transport=self._transport,
            follow_redirects=False,
            trust_env=False,
            # The client's own jar keeps nothing: each fetch has its own jar (see `fetch`), so
            # fetches running in parallel threads never see each other's cookies.
            cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
            timeout=httpx.Timeout(policy.read_timeout, connect=policy.connect_timeout),
            headers={
                "User-Agent": policy.user_agent,
                "Accept-Encoding": ACCEPT_ENCODING,
                "Accept": "text/html,application/xhtml+xml,application/pdf;q=0.9,*/*;q=0.8",
            },
        )

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def fetch(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> FetchResult:
        """GET `url`, following redirects and retrying transient failures; never raises for
        network or HTTP problems."""
        deadline = time.monotonic() + self.policy.deadline
        conditional = {}
        if etag:
            conditional["If-None-Match"] = etag
        if last_modified:
            conditional["If-Modified-Since"] = last_modified
        # Cookies may carry a redirect dance; they live for this fetch only.
        cookies = httpx.Cookies()
        attempts: list[Attempt] = []
        visited = [url]
        with self._transport.deadline(deadline):
            while True:
                hop = self._fetch_with_retries(visited[-1], conditional, cookies, deadline, attempts)
                target = hop.attempt.redirect_to
                if target is None:
                    break
                if len(visited) > self.policy.max_redirects:
                    loop = " (a redirect loop)" if target in visited else ""
                    hop.attempt.error_kind = "too_many_redirects"
                    hop.attempt.error = (
                        f"more than {self.policy.max_redirects} redirects{loop}; last one to {target} "
                        "([fetch] max_redirects)"
                    )
                    break
                visited.append(target)
        return self._result(url, hop, attempts, etag, last_modified)

    def _fetch_with_retries(
        self, url: str, conditional: dict, cookies: httpx.Cookies, deadline: float, attempts: list[Attempt]
    ) -> _Hop:
        retry = 0
        while True:
            hop = self._attempt(url, retry, conditional, cookies, deadline)
            attempts.append(hop.attempt)
            wait = self._retry_wait(hop, retry)
            if wait is None or time.monotonic() + wait >= deadline:
                return hop
            time.sleep(wait)
            retry += 1

    def _retry_wait(self, hop: _Hop, retry: int) -> float | None:
        """Seconds to wait before retrying, or None if this outcome is final."""
        attempt = hop.attempt
        status = attempt.status
        transient = attempt.error_kind in ("timeout", "connect") or (
            attempt.error_kind == "http_status" and (status in (408, 429) or status >= 500)
        )
        if not transient or not hop.retryable or retry >= self.policy.max_retries:
            return None
        wait = self.policy.backoff * 2**retry * random.uniform(0.5, 1.5)
        if hop.retry_after is not None:
            wait = max(wait, hop.retry_after)
        return wait

    def _attempt(self, url: str, retry: int, conditional: dict, cookies: httpx.Cookies, deadline: float) -> _Hop:
        started_at = datetime.now(UTC)
        start = time.monotonic()
        attempt = Attempt(url, started_at, 0.0, None, None, None, None, {}, retry)
        hop = _Hop(attempt)
        try:
            self._exchange(url, conditional, cookies, deadline, hop)
        except FetchError as exc:
            attempt.error_kind, attempt.error = exc.kind, str(exc)
        except httpx.TimeoutException as exc:
            if time.monotonic() >= deadline - 0.01:
                attempt.error_kind, attempt.error = "deadline", self._deadline_message()
            else:
                phase = "connect" if isinstance(exc, httpx.ConnectTimeout) else "read"
                limit = self.policy.connect_timeout if phase == "connect" else self.policy.read_timeout
                attempt.error_kind = "timeout"
                attempt.error = f"timed out waiting to {phase} after {limit:g} s ([fetch] {phase}_timeout)"
        except (httpx.ConnectError, httpx.ReadError, httpx.WriteError) as exc:
            attempt.error_kind = "connect"
            where = httpx.URL(url).netloc.decode()
            tls = _ssl_cause(exc)
            if tls is not None:
                hop.retryable = False  # a bad certificate will not get better in a second
                attempt.error = f"TLS with {where} failed: {_first_line(tls)}"
            else:
                attempt.error = f"could not connect to {where}: {_first_line(exc)}"
        except (httpx.RemoteProtocolError, httpx.LocalProtocolError) as exc:
            attempt.error_kind, attempt.error = "protocol", f"broken HTTP response: {_first_line(exc)}"
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            attempt.error_kind, attempt.error = "bad_url", f"not a fetchable URL: {_first_line(exc)}"
        except _DECODE_ERRORS as exc:
            attempt.error_kind = "protocol"
            attempt.error = f"could not decode the compressed body: {_first_line(exc)}"
        except httpx.TransportError as exc:
            attempt.error_kind, attempt.error = "connect", f"network error: {_first_line(exc)}"
        attempt.seconds = time.monotonic() - start
        return hop

    def _exchange(self, url: str, conditional: dict, cookies: httpx.Cookies, deadline: float, hop: _Hop) -> None:
        """Send one request and fill in `hop`; raises on anything that went wrong."""
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, ValueError, TypeError) as exc:
            raise FetchError("bad_url", f"not a fetchable URL: {_first_line(exc)}") from None
        _check_url(parsed, self._ports)
        request = self._client.build_request("GET", parsed, headers=conditional)
        cookies.set_cookie_header(request)
        response = self._client.send(request, stream=True)
        try:
            cookies.extract_cookies(response)
            attempt = hop.attempt
            status = attempt.status = response.status_code
            hop.headers = response.headers
            attempt.headers = {k: response.headers[k] for k in _KEPT_HEADERS if k in response.headers}
            if status in _REDIRECT_STATUSES:
                attempt.redirect_to = _redirect_target(parsed, response.headers.get("location"))
            elif status == 304:
                pass
            elif 200 <= status < 300:
                hop.body = self._read_body(response, deadline)
            else:
                hop.retry_after = _retry_after(response.headers.get("retry-after"))
                attempt.error_kind = "http_status"
                attempt.error = f"HTTP {status} {response.reason_phrase}".rstrip()
        finally:
            response.close()

    def _read_body(self, response: httpx.Response, deadline: float) -> bytes:
        cap = self.policy.max_body_bytes
        limit = f"the {cap}-byte limit ([fetch] max_body_bytes)"
        length = response.headers.get("content-length", "").strip()
        if length.isdigit() and int(length) > cap:
            raise FetchError("too_large", f"Content-Length {int(length)} is over {limit}")
        raw_total = 0

        def raw() -> Iterator[bytes]:
            nonlocal raw_total
            for chunk in response.iter_raw():
                raw_total += len(chunk)
                # Compressed bytes are capped too: an endless stream of empty gzip members
                # decodes to nothing but must still end.
                if raw_total > cap:
                    raise FetchError("too_large", f"body is over {limit}")
                if time.monotonic() >= deadline:
                    raise FetchError("deadline", self._deadline_message())
                yield chunk

        parts: list[bytes] = []
        total = 0
        for piece in _decoded(raw(), response.headers.get("content-encoding")):
            total += len(piece)
            if total > cap:
                raise FetchError("too_large", f"decoded body is over {limit}")
            parts.append(piece)
        return _joined(parts)

    def _deadline_message(self) -> str:
        deadline = self.policy.deadline
        return f"gave up: the fetch took longer than its {deadline:g} s deadline ([fetch] deadline)"

    def _result(
        self, url: str, hop: _Hop, attempts: list[Attempt], etag: str | None, last_modified: str | None
    ) -> FetchResult:
        last = hop.attempt
        content_type, charset = _media_type(hop.headers.get("content-type"))
        not_modified = last.status == 304
        return FetchResult(
            requested_url=url,
            final_url=last.url,
            attempts=attempts,
            status=last.status,
            body=hop.body if last.error is None else None,
            content_type=content_type,
            declared_charset=charset,
            # A 304 need not repeat the validators; the ones sent still hold.
            etag=hop.headers.get("etag") or (etag if not_modified else None),
            last_modified=hop.headers.get("last-modified") or (last_modified if not_modified else None),
            error=last.error,
            error_kind=last.error_kind,
        )


def _joined(parts: list[bytes]) -> bytes:
    """The parts as one bytes object, never holding much more than their total size.

    b"".join would hold every part and the result at once: twice the body. A BytesIO freed of
    each part as it is copied holds at most an eighth more (its growth), and getvalue() hands
    over its buffer without another copy.
    """
    if len(parts) <= 1:
        return parts[0] if parts else b""
    body = io.BytesIO()
    parts.reverse()
    while parts:
        body.write(parts.pop())
    return body.getvalue()


def _redirect_target(base: httpx.URL, location: str | None) -> str:
    if not location:
        raise FetchError("protocol", "redirect without a Location header")
    try:
        return str(base.join(location.strip()))
    except (httpx.InvalidURL, ValueError) as exc:
        raise FetchError("bad_url", f"redirect to an invalid URL {location!r}: {_first_line(exc)}") from None


def _retry_after(value: str | None) -> float | None:
    """Retry-After as seconds from now; either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _media_type(value: str | None) -> tuple[str | None, str | None]:
    if not value:
        return None, None
    media, *params = value.split(";")
    charset = None
    for param in params:
        name, _, val = param.partition("=")
        if name.strip().lower() == "charset" and val.strip():
            charset = val.strip().strip("\"'").lower() or None
    return media.strip().lower() or None, charset


def _ssl_cause(exc: BaseException) -> ssl.SSLError | None:
    seen = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
