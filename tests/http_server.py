"""A small real HTTP server on loopback for tests that fetch.

    with serve({"/": (200, {"Content-Type": "text/html"}, b"<p>hi</p>")}) as base:
        fetcher.fetch(base + "/")
        assert base.connections == 1

A route is either a `(status, headers, body)` tuple or a callable taking the
`BaseHTTPRequestHandler`; the callable may return such a tuple, or write the response itself
(to drip, truncate or misbehave). Unknown paths get 404. The query string is ignored for routing.
"""

from __future__ import annotations

import contextlib
import ssl
import threading
from collections.abc import Callable, Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Response = tuple[int, Mapping[str, str], bytes]
Route = Response | Callable[[BaseHTTPRequestHandler], Response | None]


class BaseURL(str):
    """The server's base URL ("http://127.0.0.1:PORT"), plus what the server has seen."""

    server: _Server

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    @property
    def sni_names(self) -> list[str | None]:
        """Server names sent in TLS handshakes (https servers only)."""
        return list(self.server.sni_names)

    @property
    def connections(self) -> int:
        """TCP connections accepted so far."""
        return self.server.connection_count

    @property
    def requests(self) -> list[tuple[str, str, dict[str, str]]]:
        """(method, path, headers with lowercased names) of every request so far."""
        return list(self.server.request_log)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, routes: Mapping[str, Route]) -> None:
        super().__init__(address, _Handler)
        self.routes = routes
        self.connection_count = 0
        self.request_log: list[tuple[str, str, dict[str, str]]] = []
        self.sni_names: list[str | None] = []
        self.lock = threading.Lock()

    def handle_error(self, request, client_address) -> None:
        pass  # clients under test hang up, fail TLS, and worse; the test asserts on the client

    def process_request(self, request, client_address) -> None:
        with self.lock:
            self.connection_count += 1
        super().process_request(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so connection counts mean something
    server: _Server

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        with self.server.lock:
            headers = {name.lower(): value for name, value in self.headers.items()}
            self.server.request_log.append((self.command, self.path, headers))
        route = self.server.routes.get(path, (404, {"Content-Type": "text/plain"}, b"not found"))
        try:
            response = route(self) if callable(route) else route
            if response is not None:
                self.send(*response)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up, as clients under test do

    do_HEAD = do_GET
    do_POST = do_GET  # a route that takes a POST reads its body from handler.rfile

    def send(self, status: int, headers: Mapping[str, str], body: bytes) -> None:
        """Write a whole response; Content-Length is added unless the headers set one."""
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if not any(name.lower() == "content-length" for name in headers):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.wfile.flush()

    def log_message(self, format: str, *args) -> None:  # keep test output clean
        pass


@contextlib.contextmanager
def serve(
    routes: Mapping[str, Route], host: str = "127.0.0.1", *, tls: tuple[str, str] | None = None
) -> Iterator[BaseURL]:
    """Serve `routes` on `host` (any 127.x.y.z works on Linux) at a free port.

    `tls=(certfile, keyfile)` serves HTTPS and records the SNI name of each handshake.
    """
    server = _Server((host, 0), routes)
    scheme = "http"
    if tls is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*tls)
        context.sni_callback = lambda sock, name, ctx: server.sni_names.append(name)
        # Handshake in the handler thread, so a failing client cannot stall accept().
        server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
        scheme = "https"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    base = BaseURL(f"{scheme}://{host}:{server.server_address[1]}")
    base.server = server
    try:
        yield base
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
