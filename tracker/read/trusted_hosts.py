"""The Host names `tracker serve` answers, and the ASGI middleware that refuses the others.

A web page the user visits can point a name of its own at 127.0.0.1 (DNS rebinding) and then read
the localhost server as if it were its own origin; the one thing it cannot choose is the Host header
the browser sends, which stays the page's name. So, as Jupyter does, the server answers only the
names it is known by. Starlette's TrustedHostMiddleware does the same check, but it reads `[::1]:8000`
as the host "[" and answers a fixed "Invalid host header" that does not say what to do.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1", "[::1]")
WILDCARD_ADDRESSES = ("", "0.0.0.0", "::")


def host_name(header: str) -> str | None:
    """The name in a Host header, lower-cased, IPv6 in brackets, without the port; None if malformed."""
    header = header.strip().lower()
    if header.startswith("["):
        name, bracket, rest = header.partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            return None
        name, port = name + bracket, rest[1:] if rest else None
    elif header.count(":") > 1:  # a bare IPv6 address: no port can be told from it
        name, port = header, None
    else:
        name, colon, port = header.partition(":")
        port = port if colon else None
    if not name or (port is not None and not (port.isascii() and port.isdigit())):
        return None
    return name


def is_ip_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name.removeprefix("[").removesuffix("]"))
    except ValueError:
        return False
    return True


class AllowedHosts:
    """The names one `tracker serve` answers: the loopback names, the --host it was given, and each
    --allow-host. Bound to every address (0.0.0.0, ::) it also answers any IP address: a browser
    sends one only when the user typed it, never after a rebinding, whose Host is the page's name."""

    def __init__(self, host: str, allowed: Iterable[str] = (), open_to_network: bool = False) -> None:
        self.names = {*LOOPBACK_NAMES}
        for given in (host, *allowed):
            name = given.strip().lower()
            if name in WILDCARD_ADDRESSES:
                continue
            name = host_name(name) or name  # "name:8000" as given to --allow-host: the name
            self.names.add(name)
            if ":" in name and not name.startswith("["):
                self.names.add(f"[{name}]")  # the form a Host header carries an IPv6 address in
        self.any_address = open_to_network

    def allows(self, name: str) -> bool:
        return name in self.names or (self.any_address and is_ip_address(name))

    def refusal(self, header: str | None) -> str:
        if not header:
            return "refused a request without a Host header: tracker serve answers only the names it serves\n"
        shown = header[:200].encode("ascii", "backslashreplace").decode()
        name = host_name(header)
        if name is None:
            return f"refused the malformed Host header {shown!r}\n"
        return (
            f"refused Host {shown!r}: tracker serve answers only "
            f"{', '.join(sorted(n for n in self.names if n != '::1'))}; "
            f"to allow this name, restart it with --allow-host {name.removeprefix('[').removesuffix(']')}\n"
        )


class HostCheck:
    """ASGI middleware: a request whose Host is not allowed gets a 400 saying which Host and how to
    allow it; the app never sees it."""

    def __init__(self, app: ASGIApp, hosts: AllowedHosts) -> None:
        self.app, self.hosts = app, hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        header = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"host"), None)
        name = host_name(header) if header else None
        if name is not None and self.hosts.allows(name):
            await self.app(scope, receive, send)
            return
        from starlette.responses import PlainTextResponse

        response = PlainTextResponse(
            self.hosts.refusal(header), status_code=400, headers={"X-Content-Type-Options": "nosniff"}
        )
        await response(scope, receive, send)
