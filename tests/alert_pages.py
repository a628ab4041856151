"""A receiver of apprise's json:// messages on loopback, and a page whose one figure changes,
for the alerts tests (tests/test_alerts.py, tests/test_alerts_postgres.py)."""

from __future__ import annotations

import json
import threading

from tests.pages import article_text

FIGURE_SENTENCE = "The council approved a budget of {n} million euros for the harbour on Tuesday."
SEED = FIGURE_SENTENCE.format(n=3) + "\nOfficials said the railway works would begin next spring and last two years.\n"
SECRET = "pw-s3cr3t-Zq9"  # the receiver's password in [alerts] urls: must never show
HEADER_SECRET = "hdr-t0ken-Xy7"  # a header apprise sends: must never show either


def page(n: int) -> bytes:
    sentences = [
        FIGURE_SENTENCE.format(n=n),
        "Officials said the railway works would begin next spring and last two years.",
    ] + article_text(7).split(". ")
    paragraphs = "".join(f"<p>{sentence}</p>" for sentence in sentences)
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Harbour budget</title></head>"
        f"<body><article><h1>Harbour budget approved</h1>{paragraphs}</article></body></html>"
    ).encode()


class Receiver:
    """The route of a webhook: keeps each JSON message posted; answers `status` (500: down)."""

    def __init__(self) -> None:
        self.messages: list[dict] = []
        self.headers: list[dict] = []
        self.status = 200
        self.lock = threading.Lock()

    def __call__(self, handler):
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length)
        if self.status != 200:
            return self.status, {"Content-Type": "text/plain"}, b"down"
        with self.lock:
            self.messages.append(json.loads(body))
            self.headers.append({k.lower(): v for k, v in handler.headers.items()})
        return 200, {"Content-Type": "application/json"}, b"{}"


def alert_url(port: int) -> str:
    return f"json://alerts:{SECRET}@127.0.0.1:{port}/hook?+X-Token={HEADER_SECRET}"
