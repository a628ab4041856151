"""Sending alerts through apprise: one message per destination groups every alert not yet sent
there; a failed message is tried again by a later run, after `[alerts] retry_after` seconds,
doubling with each failure (at most a day).

A destination is named everywhere (the database, logs, `tracker alerts`) by its masked form,
`scheme://host/…`, with the host as apprise masks it (a Slack token shows as `T...A`): no user
name, password, path or query, which is where apprise URLs keep their secrets. What apprise
itself logs is captured, never printed, and scrubbed of every part of the URL before it is kept
as the error.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

MAX_BACKOFF = timedelta(days=1)


@dataclass(frozen=True)
class Destination:
    shown: str  # the masked form: what is stored and printed
    url: str  # the URL as configured, with its secrets: only ever handed to apprise

    def __repr__(self) -> str:  # never the secrets, even in a traceback
        return f"Destination({self.shown!r})"


def _apprise():
    import apprise

    logger = logging.getLogger("apprise")
    logger.propagate = False  # its lines may hold a URL's path or query: never printed
    if not logger.handlers:
        logger.addHandler(logging.NullHandler())
    return apprise


def destinations(urls: tuple[str, ...]) -> list[Destination]:
    """The configured URLs, each with a masked name unique among them."""
    found: list[Destination] = []
    seen: dict[str, int] = {}
    for url in urls:
        shown = mask(url)
        seen[shown] = seen.get(shown, 0) + 1
        if seen[shown] > 1:
            shown = f"{shown} #{seen[shown]}"
        found.append(Destination(shown, url))
    return found


def mask(url: str) -> str:
    """`scheme://host/…` with the host as apprise shows it privately; nothing else of the URL."""
    scheme = url.partition("://")[0] or "?"
    plugin = _apprise().Apprise.instantiate(url)
    if plugin is None:
        return f"{scheme}://(not a URL apprise knows)"
    private = urlsplit(plugin.url(privacy=True))
    host = private.netloc.rpartition("@")[2]
    return f"{private.scheme or scheme}://{host}/…"


def scrub(text: str, destination: Destination) -> str:
    """`text` with every piece of the destination's URL that its masked form does not show
    replaced by ****."""
    pieces = {p for p in re.split(r"[/:@?&=#+,;]+", destination.url) if len(p) >= 3}
    pieces -= set(re.split(r"[/:@?&=#+,;…]+", destination.shown))
    for piece in sorted(pieces, key=len, reverse=True):
        text = text.replace(piece, "****")
    return text


def send(destination: Destination, title: str, body: str, timeout: float) -> str | None:
    """Send one message; None when delivered, else why not (scrubbed). Never waits much longer
    than `timeout`: apprise's own connect and read timeouts are set to it, and a send still
    going after it is given up on (it may still arrive; the alert is then sent again later)."""
    apprise = _apprise()
    outcome: dict[str, str | None] = {"error": "no answer within the timeout"}

    def attempt() -> None:
        try:
            notifier = apprise.Apprise()
            with apprise.LogCapture(level=logging.WARNING) as captured:
                added = notifier.add(_with_timeouts(destination.url, timeout))
                delivered = added and bool(notifier.notify(title=title, body=body))
            said = " ".join(line.strip() for line in captured.getvalue().splitlines() if line.strip())
            if not added:
                outcome["error"] = "apprise does not know this URL"
            elif delivered:
                outcome["error"] = None
            else:
                outcome["error"] = said or "apprise could not deliver it"
        except Exception as error:  # noqa: BLE001  a plugin's bug must not fail the run
            outcome["error"] = f"{type(error).__name__}: {error}"

    thread = threading.Thread(target=attempt, name="tracker-alert", daemon=True)
    thread.start()
    thread.join(timeout + 1.0)
    error = outcome["error"]
    return None if error is None else scrub(error, destination)[:500]


def _with_timeouts(url: str, timeout: float) -> str:
    """The URL with apprise's connect (cto) and read (rto) timeouts, unless it sets them."""
    extra = [f"{key}={timeout:g}" for key in ("cto", "rto") if not re.search(rf"[?&]{key}=", url)]
    if not extra:
        return url
    return url + ("&" if "?" in url else "?") + "&".join(extra)


def next_attempt(now: datetime, attempts: int, retry_after: float) -> datetime:
    """When an alert that failed `attempts` times is tried again."""
    delay = timedelta(seconds=retry_after) * 2 ** min(max(attempts - 1, 0), 20)
    return now + min(delay, MAX_BACKOFF)
