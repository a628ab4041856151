"""What an alert says, in plain text: one message grouping several alerts, and each alert alone
(the feed's entries). Links go to the pages of `tracker serve` at `[alerts] base_url`."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlmodel import Session

from tracker.alerts.events import one_line
from tracker.store.alert_tables import Alert
from tracker.store.tables import Seed, Source

TITLES = {
    "source_changed": "source changed",
    "source_gone": "source gone",
    "label_changed": "label changed",
    "trail_origin": "trail reached its origin",
}


@dataclass(frozen=True)
class Shown:
    """An alert with what it names, ready to be told."""

    alert: Alert
    seed: Seed
    source: Source
    details: dict


def load(session: Session, alerts: list[Alert]) -> list[Shown]:
    return [
        Shown(alert, session.get(Seed, alert.seed_id), session.get(Source, alert.source_id), json.loads(alert.details))
        for alert in alerts
    ]


def seed_link(base_url: str, seed_id: int) -> str:
    return f"{base_url.rstrip('/')}/seed/{seed_id}"


def source_link(base_url: str, source_id: int) -> str:
    return f"{base_url.rstrip('/')}/source/{source_id}"


def title(shown: Shown) -> str:
    return f"{TITLES.get(shown.alert.kind, shown.alert.kind)}: {shown.source.url} (cited by {shown.seed.path})"


def lines(shown: Shown, base_url: str) -> list[str]:
    """One alert: what happened, then its label changes, diff or reason, then its links."""
    alert, details = shown.alert, shown.details
    told = [title(shown)]
    for change in details.get("labels") or []:
        told.append(label_line(change))
    if alert.kind == "source_changed":
        if not details.get("labels_judged"):
            told.append(f"  {details.get('why_not_judged') or 'labels not judged'}")
        elif not details.get("labels"):
            told.append("  no seed sentence changed label")
        if details.get("diff"):
            told.append(f"  what changed ({details.get('diff_language') or '?'}):")
            told += [f"    {line}" for line in details["diff"]]
    elif alert.kind == "label_changed":
        told.append(f"  because {details.get('because', 'it was aligned again')}")
    elif alert.kind == "source_gone":
        told.append(f"  {details.get('reason')}")
        copy = details.get("archived_copy")
        told.append(f"  archived copy: {copy}" if copy else "  no archived copy used")
    elif alert.kind == "trail_origin":
        for sentence in details.get("sentences") or []:
            told.append(origin_line(sentence))
    told.append(f"  seed: {seed_link(base_url, alert.seed_id)}  source: {source_link(base_url, alert.source_id)}")
    return told


def label_line(change: dict) -> str:
    """`sentence 3 "…": supported → partial (number "3 million", the source says "5 million")`."""
    where = f"sentence {change['position'] + 1} " if change.get("position") is not None else ""
    sentence = one_line(change["sentence"])
    said = []
    for detail in change.get("details") or []:
        text = f'{detail.get("kind") or "detail"} "{detail.get("text")}"'
        if detail.get("source_text"):
            text += f', the source says "{detail["source_text"]}"'
        said.append(text)
    because = f" ({'; '.join(said)})" if said else ""
    return f'  {where}"{sentence}": {change["old"]} → {change["new"]}{because}'


def origin_line(found: dict) -> str:
    """`sentence 1 "…": origin at hop 3 (en) "…"; changed at hop 2 (partial): 300 at …, 200 at …`."""
    said = f'  sentence {found["position"] + 1} "{one_line(found["sentence"])}": origin at hop {found["hop"]}'
    said += f' ({found.get("origin_language") or "?"}) "{one_line(found.get("origin_text") or "")}"'
    changed = found.get("changed")
    if changed:
        said += f"; changed at hop {changed['hop']} ({changed['label']}): {changed['detail']}"
    return said


def folded(items: list[Shown]) -> list[Shown]:
    """Without the label_changed alerts that a source_changed alert of the same list already
    tells (same seed, source and new original, its labels judged): one thing, said once."""
    told = {
        (s.alert.seed_id, s.alert.source_id, s.alert.version_id)
        for s in items
        if s.alert.kind == "source_changed" and s.details.get("labels_judged")
    }
    return [
        s
        for s in items
        if not (
            s.alert.kind == "label_changed"
            and (s.alert.seed_id, s.alert.source_id, s.details.get("original_id")) in told
        )
    ]


def compose(items: list[Shown], base_url: str) -> tuple[str, str]:
    """The title and body of one message telling every alert in `items`."""
    shown = folded(items)
    kinds = sorted({s.alert.kind for s in shown}, key=list(TITLES).index)
    count = len(shown)
    heading = f"tracker: {count} alert{'s' if count != 1 else ''} ({', '.join(TITLES[k] for k in kinds)})"
    body: list[str] = []
    for item in shown:
        body += lines(item, base_url) + [""]
    return heading, "\n".join(body).rstrip() + "\n"
