"""Fetch cited pages over HTTP(S), safely and unattended.

URLs come from untrusted articles and are fetched from a scheduler, so the fetcher assumes the
worst: every hop is checked before any packet is sent (scheme, port, and every address the host
resolves to), the connection goes to the checked address itself (no second DNS lookup to rebind),
redirects are followed here rather than by httpx so each one is checked and recorded, the body is
decompressed here under a size cap, and one deadline bounds the whole fetch. Network and HTTP
problems never raise: they are recorded on the `Attempt` and the `FetchResult`.
"""

from __future__ import annotations

import io
import random
import re
import ssl
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http.cookiejar import CookieJar, DefaultCookiePolicy

import httpx

from tracker.errors import FetchError, first_line
from tracker.fetch import FetchSettings
from tracker.fetch.encodings import ACCEPT_ENCODING, DECODE_ERRORS, decode_body
from tracker.fetch.guard import DEFAULT_PORTS, GuardedTransport, Resolver, check_url

__all__ = ["Attempt", "FetchError", "FetchResult", "Fetcher"]


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
_VALIDATORS = frozenset({"If-None-Match", "If-Modified-Since"})


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
    # Memento headers of the last response (RFC 7089), read by tracker.archive; not stored.
    memento_datetime: str | None = None
    link: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.body is not None

    @property
    def not_modified(self) -> bool:
        return self.status == 304 and self.error is None


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
        self._ports = DEFAULT_PORTS | set(policy.allow_ports)
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
            event_hooks={"response": [_refuse_redirect_scheme]},
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

    def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        headers: dict[str, str] | None = None,
        follow_redirects: bool = True,
    ) -> FetchResult:
        """GET `url`, following redirects and retrying transient failures; never raises for
        network or HTTP problems. `headers` are sent with every request (an archive's
        Accept-Datetime); without `follow_redirects` a redirect is the result, its target in
        the last attempt's `redirect_to`."""
        deadline = time.monotonic() + self.policy.deadline
        conditional = dict(headers or {})
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
                if target is None or not follow_redirects:
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
                attempt.error = f"TLS with {where} failed: {first_line(tls)}"
            else:
                attempt.error = f"could not connect to {where}: {first_line(exc)}"
        except (httpx.RemoteProtocolError, httpx.LocalProtocolError) as exc:
            attempt.error_kind, attempt.error = "protocol", f"broken HTTP response: {first_line(exc)}"
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            attempt.error_kind, attempt.error = "bad_url", f"not a fetchable URL: {first_line(exc)}"
        except DECODE_ERRORS as exc:
            attempt.error_kind = "protocol"
            attempt.error = f"could not decode the compressed body: {first_line(exc)}"
        except httpx.TransportError as exc:
            attempt.error_kind, attempt.error = "connect", f"network error: {first_line(exc)}"
        attempt.seconds = time.monotonic() - start
        return hop

    def _exchange(self, url: str, conditional: dict, cookies: httpx.Cookies, deadline: float, hop: _Hop) -> None:
        """Send one request and fill in `hop`; raises on anything that went wrong."""
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, ValueError, TypeError) as exc:
            raise FetchError("bad_url", f"not a fetchable URL: {first_line(exc)}") from None
        check_url(parsed, self._ports)
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
            elif status == 304 and not _VALIDATORS & conditional.keys():
                # "Unchanged" since what? Nothing was named: taken as unchanged, the source would
                # never be captured while looking healthy. A failure, retried later.
                attempt.error_kind = "http_status"
                attempt.error = "304 Not Modified to a request that was not conditional"
            elif status == 304:
                pass
            elif 200 <= status < 300:
                hop.body = self._read_body(response, deadline)
            else:
                hop.retry_after = retry_after_seconds(response.headers.get("retry-after"))
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
        for piece in decode_body(raw(), response.headers.get("content-encoding")):
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
            memento_datetime=hop.headers.get("memento-datetime"),
            link=hop.headers.get("link"),
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


_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")  # RFC 3986, section 3.1


def _refuse_redirect_scheme(response: httpx.Response) -> None:
    """Refuse a redirect to javascript:, data: and the like before httpx reads its Location:
    httpx builds the next request itself, and fails on these with a message about URL paths."""
    if not response.has_redirect_location:
        return
    location = response.headers["location"].strip()
    scheme = _SCHEME.match(location)
    if scheme is not None and scheme.group(1).lower() not in ("http", "https"):
        scheme = scheme.group(1)
        raise FetchError("bad_url", f"redirect to a {_shown_scheme(scheme)}: URL, not http(s)")


def _shown_scheme(scheme: str) -> str:
    """A scheme from a Location header, as it may be printed: lowercased, at most 20 characters
    that a scheme may hold (RFC 3986), so a header cannot put escapes on a terminal."""
    kept = "".join(ch for ch in scheme.lower()[:20] if ch.isascii() and (ch.isalnum() or ch in "+-."))
    return kept or "non-http"


def _redirect_target(base: httpx.URL, location: str | None) -> str:
    if not location:
        raise FetchError("protocol", "redirect without a Location header")
    try:
        target = base.join(location.strip())
    except (httpx.InvalidURL, ValueError) as exc:
        raise FetchError("bad_url", f"redirect to an invalid URL {location!r}: {first_line(exc)}") from None
    if target.scheme not in ("http", "https"):
        # Said here, in words: otherwise httpx's own message about the next request stands.
        raise FetchError("bad_url", f"redirect to a {_shown_scheme(target.scheme)}: URL, not http(s)")
    return str(target)


def retry_after_seconds(value: str | None) -> float | None:
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
