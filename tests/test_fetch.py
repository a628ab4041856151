"""The fetcher against a real loopback server, with hostile pages among the fixtures.

Every test runs under `network_spy`: any attempt to connect to, or resolve, anything outside
127.0.0.0/8 fails the test before a packet is sent.
"""

from __future__ import annotations

import gzip
import shutil
import socket
import subprocess
import threading
import time
import tracemalloc
import zlib
from ipaddress import ip_address

import pytest

from tests.http_server import serve
from tracker.fetch.client import Fetcher, FetchSettings

_real_create_connection = socket.create_connection
_real_getaddrinfo = socket.getaddrinfo


def _is_loopback(host: str) -> bool:
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def network_spy(monkeypatch):
    """Record every outgoing connection; refuse (and fail on) anything but loopback."""
    spy = {"connect": [], "outside": []}

    def create_connection(address, *args, **kwargs):
        spy["connect"].append(address)
        if not _is_loopback(address[0]):
            spy["outside"].append(address)
            raise OSError(f"test guard: refused to connect to {address}")
        return _real_create_connection(address, *args, **kwargs)

    def getaddrinfo(host, *args, **kwargs):
        if not _is_loopback(str(host)):
            spy["outside"].append(host)
            raise socket.gaierror(f"test guard: refused to resolve {host}")
        return _real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", create_connection)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield spy
    assert spy["outside"] == [], "the fetcher tried to reach beyond loopback"


def policy(*bases, **overrides) -> FetchSettings:
    settings = dict(
        allow_private=("127.0.0.1",),
        allow_ports=tuple(base.port for base in bases),
        connect_timeout=1.0,
        read_timeout=1.0,
        deadline=5.0,
        backoff=0.01,
    )
    settings.update(overrides)
    return FetchSettings(**settings)


def fetch(base, path="/", *, resolver=None, **overrides):
    with Fetcher(policy(base, **overrides), resolver=resolver) as fetcher:
        return fetcher.fetch(base + path)


HTML = (200, {"Content-Type": "text/html; charset=UTF-8", "ETag": '"v1"'}, b"<p>hello</p>")


def test_plain_page_is_fetched_and_described():
    with serve({"/": HTML}) as base:
        result = fetch(base)
        seen = base.requests[0][2]
    assert result.ok and not result.not_modified
    assert result.body == b"<p>hello</p>"
    assert (result.content_type, result.declared_charset, result.etag) == ("text/html", "utf-8", '"v1"')
    assert result.final_url == base + "/" and result.error is None
    [attempt] = result.attempts
    assert attempt.status == 200 and attempt.retry == 0 and attempt.error is None
    assert attempt.started_at.tzinfo is not None and attempt.seconds > 0
    assert attempt.headers["content-type"] == "text/html; charset=UTF-8"
    assert seen["user-agent"].startswith("tracker/") and "gzip" in seen["accept-encoding"]


def test_redirect_chain_is_followed_and_recorded():
    with serve({}) as base:
        base.server.routes.update(
            {
                "/a": (302, {"Location": "/b?x=1"}, b""),
                "/b": (301, {"Location": base + "/c"}, b""),
                "/c": HTML,
            }
        )
        result = fetch(base, "/a")
    assert result.ok and result.final_url == base + "/c"
    assert [a.url for a in result.attempts] == [base + "/a", base + "/b?x=1", base + "/c"]
    assert [a.status for a in result.attempts] == [302, 301, 200]
    assert [a.redirect_to for a in result.attempts] == [base + "/b?x=1", base + "/c", None]
    assert result.attempts[0].headers["location"] == "/b?x=1"


def test_redirect_loop_ends_as_too_many_redirects():
    routes = {"/one": (302, {"Location": "/two"}, b""), "/two": (302, {"Location": "/one"}, b"")}
    with serve(routes) as base:
        result = fetch(base, "/one", max_redirects=3)
    assert result.error_kind == "too_many_redirects" and "loop" in result.error
    assert len(result.attempts) == 4 and result.body is None
    assert result.attempts[-1].error_kind == "too_many_redirects"


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://10.0.0.1/admin", "private"),
        ("http://[::ffff:10.0.0.1]/", "IPv4-mapped"),
        ("http://100.64.0.1/", "carrier-grade NAT"),
    ],
)
def test_redirect_to_internal_address_is_refused_without_connecting(network_spy, target, reason):
    with serve({"/": (302, {"Location": target}, b"")}) as base:
        result = fetch(base)
    assert result.error_kind == "blocked_address" and result.status is None
    assert result.error.startswith("refused: ") and reason in result.error
    assert "[fetch] allow_private" in result.error
    assert result.final_url == target and result.attempts[-1].url == target
    assert len(result.attempts) == 2  # refusals are not retried
    assert all(_is_loopback(host) for host, _ in network_spy["connect"])


def test_redirect_to_other_loopback_address_needs_its_own_allow_entry():
    with serve({"/": HTML}, host="127.0.0.2") as other:
        with serve({"/": (302, {"Location": other + "/"}, b"")}) as base:
            with Fetcher(policy(base, other)) as fetcher:
                result = fetcher.fetch(base + "/")
        assert result.error_kind == "blocked_address" and "127.0.0.2 is a loopback address" in result.error
        assert other.connections == 0


def test_host_resolving_to_private_address_is_refused(network_spy):
    calls = []

    def resolver(host, port):
        calls.append((host, port))
        return ["10.0.0.5"]

    with Fetcher(policy(), resolver=resolver) as fetcher:
        result = fetcher.fetch("http://intranet.example/")
    assert result.error_kind == "blocked_address"
    assert "10.0.0.5 is a private address" in result.error and "intranet.example" in result.error
    assert calls == [("intranet.example", 80)] and network_spy["connect"] == []


def test_host_with_any_private_answer_is_refused():
    with serve({"/": HTML}) as base:
        resolver = lambda host, port: ["127.0.0.1", "192.168.1.1"]  # noqa: E731
        with Fetcher(policy(base), resolver=resolver) as fetcher:
            result = fetcher.fetch(f"http://mixed.example:{base.port}/")
        assert result.error_kind == "blocked_address" and base.connections == 0


def test_connects_to_the_checked_address_and_keeps_the_host_name():
    answers = iter([["127.0.0.1"], ["10.0.0.1"]])  # a rebinding resolver: safe first, then not
    calls = []

    def resolver(host, port):
        calls.append(host)
        return next(answers)

    with serve({"/": HTML}) as base:
        with Fetcher(policy(base), resolver=resolver) as fetcher:
            result = fetcher.fetch(f"http://news.example:{base.port}/")
        assert result.ok and calls == ["news.example"]
        assert base.requests[0][2]["host"] == f"news.example:{base.port}"


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("ftp://127.0.0.1/file", "blocked_scheme"),
        ("file:///etc/passwd", "blocked_scheme"),
        ("http://127.0.0.1:22/", "blocked_port"),
        ("http://exa mple.com/", "bad_url"),
        ("http:///nohost", "bad_url"),
    ],
)
def test_bad_and_blocked_urls_are_recorded(network_spy, url, kind):
    with Fetcher(policy()) as fetcher:
        result = fetcher.fetch(url)
    assert result.error_kind == kind and result.error and len(result.attempts) == 1
    assert network_spy["connect"] == []


def test_dns_failure_is_recorded():
    def resolver(host, port):
        raise socket.gaierror(-2, "Name or service not known")

    with Fetcher(policy(), resolver=resolver) as fetcher:
        result = fetcher.fetch("http://nowhere.invalid/")
    assert result.error_kind == "dns" and "nowhere.invalid" in result.error
    assert len(result.attempts) == 1


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    """About 0.25 MB of gzip that inflates to 256 MB of zeros."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1024 * 1024)
    return b"".join(packer.compress(block) for _ in range(256)) + packer.flush()


def test_gzip_bomb_is_capped_while_streaming(gzip_bomb):
    assert len(gzip_bomb) < 400_000
    headers = {"Content-Type": "text/html", "Content-Encoding": "gzip"}
    with serve({"/": (200, headers, gzip_bomb)}) as base:
        tracemalloc.start()
        try:
            result = fetch(base, max_body_bytes=1024 * 1024)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert result.error_kind == "too_large" and result.body is None and result.status == 200
    assert peak < 16 * 1024 * 1024


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data, wbits=-zlib.MAX_WBITS)),  # raw, as some servers send
        ("gzip", lambda data: gzip.compress(data[:5]) + gzip.compress(data[5:])),  # two members
        ("br", lambda data: pytest.importorskip("brotli").compress(data)),
        ("zstd", lambda data: pytest.importorskip("zstandard").ZstdCompressor().compress(data)),
    ],
)
def test_compressed_bodies_are_decoded(encoding, encode):
    text = "<p>Điện Kremlin cho biết</p>".encode() * 2000
    headers = {"Content-Type": "text/html", "Content-Encoding": encoding}
    with serve({"/": (200, headers, encode(text))}) as base:
        result = fetch(base)
    assert result.ok and result.body == text


def test_a_brotli_body_that_expands_many_times_is_decoded_whole():
    brotli = pytest.importorskip("brotli")
    page = b"<p>" + b"Kremlin " * 12 + b"</p>\n"
    text = page * 8000  # 864,000 bytes from a few dozen: brotli's output came out cut short
    headers = {"Content-Type": "text/html", "Content-Encoding": "br"}
    with serve({"/": (200, headers, brotli.compress(text))}) as base:
        result = fetch(base)
    assert result.ok and len(result.body) == len(text) and result.body == text


def test_unknown_content_encoding_is_a_protocol_error():
    with serve({"/": (200, {"Content-Encoding": "lzma"}, b"xx")}) as base:
        result = fetch(base)
    assert result.error_kind == "protocol" and "lzma" in result.error


def _drip_body(handler):
    handler.send_response(200)
    handler.send_header("Content-Length", "100")
    handler.end_headers()
    for _ in range(100):
        handler.wfile.write(b"x")
        handler.wfile.flush()
        time.sleep(1)


def _drip_headers(handler):
    for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"y" * 100:
        handler.wfile.write(bytes([byte]))
        handler.wfile.flush()
        time.sleep(0.2)


@pytest.mark.parametrize("route", [_drip_body, _drip_headers])
def test_deadline_holds_against_a_dripping_server(route):
    with serve({"/": route}) as base:
        result = fetch(base, deadline=1.5, read_timeout=5.0)
    # Each byte comes well within the read timeout, so only the deadline can end this fetch.
    assert result.error_kind == "deadline" and "deadline" in result.error


def test_read_timeout_is_retried_then_recorded():
    def slow(handler):
        time.sleep(1.0)
        return HTML

    with serve({"/": slow}) as base:
        result = fetch(base, read_timeout=0.2, max_retries=1)
    assert result.error_kind == "timeout" and "read_timeout" in result.error
    assert [a.retry for a in result.attempts] == [0, 1]


def test_huge_content_length_is_refused_before_reading():
    headers = {"Content-Type": "video/mp4", "Content-Length": str(2 * 1024**3)}
    with serve({"/": (200, headers, b"0123456789")}) as base:
        result = fetch(base)
    assert result.error_kind == "too_large" and "2147483648" in result.error
    assert result.status == 200 and result.body is None and not result.ok


def test_truncated_body_is_recorded_not_raised():
    def truncated(handler):
        handler.send_response(200)
        handler.send_header("Content-Length", "1000")
        handler.end_headers()
        handler.wfile.write(b"only ten b")
        handler.close_connection = True

    with serve({"/": truncated}) as base:
        result = fetch(base)
    assert result.error_kind == "protocol" and result.body is None
    assert len(result.attempts) == 1


@pytest.mark.parametrize("status", [404, 410, 403])
def test_client_errors_are_not_retried(status):
    with serve({"/": (status, {"Content-Type": "text/html"}, b"gone")}) as base:
        result = fetch(base)
    assert result.status == status and result.error_kind == "http_status"
    assert result.error.startswith(f"HTTP {status} ") and result.body is None
    assert len(result.attempts) == 1 and base.connections == 1


def _flaky(*responses):
    """A route that answers with each response in turn, then repeats the last one."""
    queue = list(responses)
    lock = threading.Lock()

    def route(handler):
        with lock:
            return queue.pop(0) if len(queue) > 1 else queue[0]

    return route


def test_429_with_retry_after_is_retried():
    route = _flaky((429, {"Retry-After": "0"}, b"slow down"), HTML)
    with serve({"/": route}) as base:
        result = fetch(base)
    assert result.ok
    assert [(a.status, a.retry) for a in result.attempts] == [(429, 0), (200, 1)]
    assert result.attempts[0].headers["retry-after"] == "0"


def test_retry_after_past_the_deadline_is_not_waited_for():
    with serve({"/": (429, {"Retry-After": "3600"}, b"")}) as base:
        result = fetch(base, deadline=2.0)
    # Waiting an hour would pass the deadline, so it answers at once with the 429, not retried.
    assert result.status == 429 and result.error_kind == "http_status"
    assert len(result.attempts) == 1


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors_are_retried_then_recorded(status):
    with serve({"/": (status, {}, b"oops")}) as base:
        result = fetch(base, max_retries=2)
    assert result.status == status and result.error_kind == "http_status"
    assert [a.retry for a in result.attempts] == [0, 1, 2]


def test_server_error_then_success():
    with serve({"/": _flaky((502, {}, b""), HTML)}) as base:
        result = fetch(base)
    assert result.ok and len(result.attempts) == 2


def test_pdf_content_type_is_reported():
    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
    with serve({"/report.pdf": (200, {"Content-Type": "Application/PDF"}, pdf)}) as base:
        result = fetch(base, "/report.pdf")
    assert result.ok and result.content_type == "application/pdf" and result.body == pdf
    assert result.declared_charset is None


def test_empty_200_is_ok_with_empty_body():
    with serve({"/": (200, {"Content-Type": "text/html"}, b"")}) as base:
        result = fetch(base)
    assert result.ok and result.body == b""


def test_connection_refused_is_retried_then_recorded():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with Fetcher(policy(allow_ports=(port,))) as fetcher:
        result = fetcher.fetch(f"http://127.0.0.1:{port}/")
    assert result.error_kind == "connect" and f"127.0.0.1:{port}" in result.error
    assert result.status is None and len(result.attempts) == 3


def test_conditional_get_gives_304():
    def page(handler):
        if handler.headers.get("If-None-Match") == '"v1"':
            return (304, {"ETag": '"v1"'}, b"")
        return HTML

    with serve({"/": page}) as base:
        with Fetcher(policy(base)) as fetcher:
            first = fetcher.fetch(base + "/")
            second = fetcher.fetch(base + "/", etag=first.etag, last_modified="Wed, 21 Oct 2015 07:28:00 GMT")
        sent = base.requests[1][2]
    assert first.ok and first.etag == '"v1"'
    assert second.not_modified and not second.ok and second.body is None and second.error is None
    assert second.etag == '"v1"' and second.last_modified == "Wed, 21 Oct 2015 07:28:00 GMT"
    assert sent["if-none-match"] == '"v1"' and sent["if-modified-since"].startswith("Wed, 21 Oct 2015")
    assert base.connections == 1  # keep-alive across fetches


@pytest.mark.subprocess
def test_environment_proxy_is_ignored(monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://10.9.9.9:3128")
    monkeypatch.setenv("ALL_PROXY", "http://10.9.9.9:3128")
    with serve({"/": HTML}) as base:
        result = fetch(base)
    assert result.ok


@pytest.fixture(scope="module")
def news_cert(tmp_path_factory):
    """A self-signed certificate for news.example, made with the openssl command."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-subj",
            "/CN=news.example",
            "-addext",
            "subjectAltName=DNS:news.example",
        ],
        check=True,
        capture_output=True,
    )
    return str(cert), str(key)


def test_https_to_checked_address_verifies_the_original_host_name(news_cert, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", news_cert[0])  # trust our test CA for this fetch only
    with serve({"/": HTML}, tls=news_cert) as base:
        with Fetcher(policy(base), resolver=lambda host, port: ["127.0.0.1"]) as fetcher:
            result = fetcher.fetch(f"https://news.example:{base.port}/")
            wrong = fetcher.fetch(f"https://other.example:{base.port}/")
        assert base.sni_names == ["news.example", "other.example"]
        assert base.requests[0][2]["host"] == f"news.example:{base.port}"
    assert result.ok and result.body == b"<p>hello</p>"
    assert wrong.error_kind == "connect" and wrong.error.startswith("TLS with other.example")
    assert "other.example" in wrong.error and len(wrong.attempts) == 1  # not retried


def test_https_certificates_are_always_verified(news_cert):
    with serve({"/": HTML}, tls=news_cert) as base:
        with Fetcher(policy(base), resolver=lambda host, port: ["127.0.0.1"]) as fetcher:
            result = fetcher.fetch(f"https://news.example:{base.port}/")
    assert result.error_kind == "connect" and "CERTIFICATE_VERIFY_FAILED" in result.error
    assert base.requests == []


def test_cookies_last_one_fetch_only():
    """A redirect dance that sets a cookie works; the next fetch (maybe in another thread) starts
    without it, since one Fetcher serves several threads at once."""

    def start(handler):
        return (302, {"Location": "/article", "Set-Cookie": "consent=yes; Path=/"}, b"")

    def article(handler):
        if "consent=yes" in (handler.headers.get("Cookie") or ""):
            return HTML
        return (403, {}, b"no cookie")

    with serve({"/start": start, "/article": article}) as base:
        with Fetcher(policy(base)) as fetcher:
            assert fetcher.fetch(base + "/start").ok
            assert fetcher.fetch(base + "/article").status == 403
    assert [h.get("cookie") for _, _, h in base.requests] == [None, "consent=yes", None]
