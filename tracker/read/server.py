"""`tracker serve`: the report pages for every seed and source, read-only, as a small Starlette app.

The database is opened read-only (tracker/read/sql.py `read_only_engine`) and every route answers
GET (and HEAD) only, so nothing a visitor does can change it. Pages are the Jinja2 templates of
tracker/read/templates, rendered by tracker/read/pages.py.
"""

from __future__ import annotations

import errno
import ipaddress
import socket

from sqlmodel import Session, select
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tracker.config import Settings
from tracker.errors import TrackerError
from tracker.read.lookup import find_source
from tracker.read.pages import render, report_html
from tracker.read.report import SeedNotFound, find_seed, seed_report, seed_summaries, source_report
from tracker.read.trusted_hosts import AllowedHosts, HostCheck
from tracker.store.tables import Seed

ATOM_TYPE = "application/atom+xml; charset=utf-8"
LABELS = ("supported", "paraphrased", "partial", "added", "not aligned")


class ListenError(TrackerError):
    """A --host/--port that cannot be listened on: an option to change (exit 2), not the database."""

    exit_status = 2


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to host:port (port 0: a free one), for uvicorn to serve on. Bound here,
    before anything says "serving", so a port in use is one line and the real port is known."""
    where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    try:
        family, kind, protocol, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as error:
        raise ListenError(
            f"cannot listen on {where}: {error.strerror} (give --host an address of this machine)"
        ) from None
    bound = socket.socket(family, kind, protocol)
    try:
        bound.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn: no wait after a restart
        bound.bind(address)
    except OSError as error:
        bound.close()
        hint = "choose another --port, or --port 0 for a free one"
        if error.errno not in (errno.EADDRINUSE, errno.EACCES):  # the port; else the address
            hint = "give --host an address of this machine"
        raise ListenError(f"cannot listen on {where}: {error.strerror or error} ({hint})") from None
    return bound


def served_url(host: str, bound: socket.socket) -> str:
    """The address to print: the host as given (an IPv6 address in brackets), the bound port."""
    return f"http://{f'[{host}]' if ':' in host else host}:{bound.getsockname()[1]}/"


def is_loopback(bound: socket.socket) -> bool:
    """Whether only this machine can reach the socket (127.0.0.0/8, ::1), whatever name was given."""
    address = bound.getsockname()[0].partition("%")[0]
    return ipaddress.ip_address(address).is_loopback


# The pages are self-contained: their own inline script and style, nothing from elsewhere. So a
# browser is told to run nothing external, send no Referer (the URL holds a research question),
# and never guess a content type.
SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (
        b"content-security-policy",
        b"default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:; "
        b"form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    ),
)


class SecurityHeaders:
    """ASGI middleware: SECURITY_HEADERS on every response, refusals included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(name, value) for name, value in SECURITY_HEADERS if name not in names]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(engine, settings: Settings | None = None, hosts: AllowedHosts | None = None) -> Starlette:
    """The app over `engine` (opened read-only by the caller), answering only the Host names in
    `hosts` (by default the loopback names); `settings` give the target language and the trails
    (without them: English, no trail view)."""
    seed_language = settings.translation.target if settings else "en"

    def page(template: str, status: int = 200, **context) -> HTMLResponse:
        return HTMLResponse(render(template, served=True, source_links=True, **context), status_code=status)

    def index(request: Request) -> Response:
        with Session(engine) as session:
            seeds = session.exec(select(Seed).where(Seed.superseded_at.is_(None)).order_by(Seed.path)).all()
            summaries = seed_summaries(session, seeds)
            rows = [{"seed": seed, **summaries[seed.id]} for seed in seeds]
        return page("index.html", rows=rows, labels=LABELS)

    def seed(request: Request) -> Response:
        with Session(engine) as session:
            try:
                report = seed_report(session, request.path_params["seed_id"], settings)
            except SeedNotFound as error:
                return page("message.html", status=404, title="No such seed", message=str(error))
        asked = request.query_params.get("page", "1")
        number = int(asked) if asked.isascii() and asked.isdigit() and len(asked) < 7 else 1
        return HTMLResponse(report_html(report, seed_language=seed_language, served=True, page=number))

    def source(request: Request) -> Response:
        with Session(engine) as session:
            found = source_report(session, request.path_params["source_id"])
        if found is None:
            return page("message.html", status=404, title="No such source", message="no source has that id")
        return page("source.html", labels=LABELS, seed_language=seed_language, **found)

    def search(request: Request) -> Response:
        url = request.query_params.get("url", "").strip()
        if not url:
            return page("message.html", status=400, title="Look up a URL", message="give a URL to look up")
        with Session(engine) as session:
            found = find_source(session, url)
        if found is None:
            return page(
                "message.html",
                status=404,
                title="Not found",
                message=f"no source known for {url}: is it cited by a seed, and has `tracker run` ingested it?",
                query_url=url,
            )
        return RedirectResponse(f"/source/{found[0].id}", status_code=303)

    def feed(request: Request) -> Response:
        from tracker.alerts.feed import atom_feed

        base = str(request.base_url)  # the Host asked for, already checked by HostCheck
        with Session(engine) as session:
            if "seed_id" not in request.path_params:
                return Response(atom_feed(session, base), media_type=ATOM_TYPE)
            try:
                found = find_seed(session, request.path_params["seed_id"])
            except SeedNotFound as error:
                return page("message.html", status=404, title="No such seed", message=str(error))
            return Response(atom_feed(session, base, seed=found), media_type=ATOM_TYPE)

    return Starlette(
        routes=[
            Route("/", index),
            Route("/feed.atom", feed),
            Route("/seeds/{seed_id:int}/feed.atom", feed),
            Route("/seed/{seed_id:int}", seed),
            Route("/source/{source_id:int}", source),
            Route("/search", search),
        ],
        middleware=[
            Middleware(SecurityHeaders),  # outermost: the host check's refusals carry them too
            Middleware(HostCheck, hosts=hosts or AllowedHosts("127.0.0.1")),
        ],
    )
