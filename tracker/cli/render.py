"""How commands print what the library returns: plain text for a terminal or a pipe."""

from __future__ import annotations

import json

import click

from tracker.terminal import json_shown, shown


def echo(line: str = "", err: bool = False) -> None:
    """Print one line whose text may come from seeds or pages: control characters escaped, so a
    seed cannot clear the screen or forge a line. Tabs are kept: they separate columns."""
    click.echo(shown(line, keep="\t"), err=err)


def echo_json(document: str, err: bool = False) -> None:
    click.echo(json_shown(document), err=err)


def run_summary(summary, as_json: bool) -> None:
    if as_json:
        echo_json(json.dumps(summary.as_dict(), ensure_ascii=False))
        return
    seeds = f"{summary.seeds_new} new, {summary.seeds_revised} revised, {summary.seeds_unchanged} unchanged"
    if summary.seeds_failed:
        seeds += f", {len(summary.seeds_failed)} unreadable"
    if summary.related:
        seeds += f"; related seeds: {summary.related} pair{'s' if summary.related != 1 else ''}"
    echo(f"seeds: {seeds}")
    retired = f" ({len(summary.retired)} retired)" if summary.retired else ""
    echo(
        f"sources: {summary.sources_new} new; fetched {summary.fetched}, unchanged {summary.unchanged}, "
        f"skipped {len(summary.skipped)}, failed {len(summary.failed)}{retired}"
        + (f", deferred {len(summary.deferred)}" if summary.deferred else "")
    )
    if summary.archived or summary.not_archived:
        echo(f"archives: {summary.archived} archived copies, {len(summary.not_archived)} not archived")
    echo(f"translations: {summary.translated} made, {summary.pending} pending; excerpts: {summary.excerpts}")
    work = summary.translation
    if work.translated or work.cache_hits or work.reused or work.model_loads:
        echo(f"translation work: {work_line(work)}")
    if summary.alerts or summary.alerts_sent or summary.alerts_undelivered:
        undelivered = f", {summary.alerts_undelivered} not delivered" if summary.alerts_undelivered else ""
        echo(f"alerts: {summary.alerts} new; messages: {summary.alerts_sent} sent{undelivered}")
    if summary.stopped_early:
        echo("stopped at --max-time: the next run continues where this one stopped")
    if summary.next_due is not None:
        echo(f"next due: {summary.next_due:%Y-%m-%d %H:%M} UTC")
    for notice in summary.notices:
        echo(f"  {notice}")


def columns(texts: list[str | None], width: int) -> list[str]:
    """Texts wrapped into columns of `width`, one line per row."""
    import textwrap

    wrapped = [textwrap.wrap(t or "—", width) or [""] for t in texts]
    return [
        "  ".join(col[k].ljust(width) if k < len(col) else " " * width for col in wrapped).rstrip()
        for k in range(max(len(col) for col in wrapped))
    ]


def side_by_side(found: dict) -> None:
    import shutil

    source = found["source"]
    echo(source["url"])
    if not found["alignments"]:
        echo("  no excerpts yet: the source is not fetched, translated or aligned with a seed")
    width = max(24, (min(shutil.get_terminal_size((150, 24)).columns, 180) - 6) // 3)
    for group in found["alignments"]:
        echo(
            f"seed {group['seed_id']} {group['seed_path']}  ↔  version #{group['version_id']} "
            f"({group['version_kind']}, {group['language']})"
        )
        for line in columns(["seed", "translation", "original"], width):
            echo("  " + line)
        for pair in group["pairs"]:
            copy = " verbatim" if pair.get("verbatim") else ""
            echo(f"  [{pair['label']} {pair['score']:.2f}{copy}] source sentences {pair['source_sentences']}")
            for line in columns([pair["seed_sentence"], pair["translated_sentence"], pair["original_sentence"]], width):
                echo("  " + line)
            for line in detail_lines(pair["unsupported_details"]):
                echo("    " + line)
    for quote in found["quotes"]:
        line = f"  quote “{quote['quote']}” ({quote['seed_path']}): {quote['status']}"
        if quote["differences"]:
            line += " — " + "; ".join(f"seed “{d['seed']}” / source “{d['source']}”" for d in quote["differences"])
        echo(line)


def history(found: dict) -> None:
    echo(f"{found['source_url']}  (matched as {found['matched_as']})")
    for version in found["versions"]:
        line = f"  #{version['id']} {version['kind']} [{language_label(version)}] {version['status']}  " + (
            version.get("archived_as") or f"captured {version['captured_at']}"
        )
        if version["superseded_at"]:
            line += f", superseded {version['superseded_at']}"
        if version["kind"] != "original" and version["parent_id"]:
            line += f", from #{version['parent_id']}"
        if version["model"]:
            line += f", by {version['model']} {version['model_version']}"
        echo(line)


def lookup(found: dict) -> None:
    source = found["source"]
    echo(f"{source['url']}  (matched as {found['matched_as']})")
    if "at" in found:
        at = found["at"]
        if at["version_id"] is None:
            echo(f"  at {at['date']}: no version captured yet")
        elif at["captured"] == "before":
            captured = at.get("archived_as") or f"captured {at['captured_at']}"
            echo(f"  at {at['date']}: version #{at['version_id']}, {captured}")
        else:
            captured = at.get("archived_as") or at["captured_at"]
            echo(f"  at {at['date']}: nothing captured before; the first capture is #{at['version_id']}, {captured}")
    echo(f"  state: {source['state']}" + (f" — {source['last_error']}" if source["last_error"] else ""))
    if source["next_fetch_at"]:
        echo(f"  next fetch: {source['next_fetch_at']}")
    if source.get("archive_state"):
        echo(f"  archive: {archive_line(source)}")
    echo("cited by:")
    for seed in found["seeds"]:
        echo(f"  seed {seed['id']} {seed['path']} (revision {seed['revision']})")
        for citation in seed["citations"]:
            echo(f"    [{citation['cue']}] {citation['sentence']}")
        for attribution in seed.get("attributions", []):
            echo(f"    attributes to {attribution_line(attribution)}")
    for key, title in (("cited_by_sources", "cited by sources:"), ("cites", "cites:")):
        if found.get(key):
            echo(title)
        for hop in found.get(key, []):
            name = f" ({hop['name']})" if hop["name"] and hop["name"] != hop["text"] else ""
            echo(f"  hop {hop['hop']} {hop['kind']} “{hop['text']}”{name}: {hop['url'] or 'no link'}")
    echo("fetch attempts:")
    for attempt in found["fetch_attempts"]:
        result = attempt["status_code"] or attempt["error"]
        outcome = f" ({attempt['outcome']})" if attempt["outcome"] else ""
        echo(f"  {attempt['started_at']}  {attempt['url']}  {result}{outcome}")
    if found.get("archive_lookups"):
        echo("archive lookups:")
    for asked in found.get("archive_lookups", []):
        parameters = asked["parameters"]
        echo(f"  {asked['started_at']}  {parameters.get('archive')}  {asked['error'] or asked['status']}")
    echo("versions:")
    for version in found["versions"]:
        line = f"  #{version['id']} {version['kind']} [{language_label(version)}] {version['status']}"
        if version.get("archived_as"):
            line += f", {version['archived_as']}"
        if version["length"] is not None:
            line += f", {version['length']} chars"
        if version.get("title"):
            line += f" — {version['title']}"
        echo(line)
        activity = version.get("activity") or {}
        if activity.get("model"):
            echo(
                f"      by {activity['model']} {activity['model_version']} "
                f"(sha256 {str(activity['model_sha256'])[:12]}…), "
                f"argostranslate {activity['software'].get('argostranslate')}, "
                f"ctranslate2 {activity['software'].get('ctranslate2')}"
            )
        elif activity.get("error"):
            echo(f"      {activity['error']}")
    if found["excerpts"]:
        echo("excerpts:")
    for excerpt in found["excerpts"]:
        echo(f"  seed {excerpt['seed_id']} {excerpt['label']} score {excerpt['score']:.2f}")
        echo(f"    seed:        {excerpt['seed_sentence']}")
        echo(f"    translation: {excerpt['text']}")
        echo(f"    original:    {excerpt['original_text']}")
    if found["quotes"]:
        echo("quotes:")
    for quote in found["quotes"]:
        echo(f"  seed {quote['seed_id']} {quote['status']}: “{quote['quote']}”")
        for difference in quote["differences"]:
            echo(f"    seed “{difference['seed']}” / source “{difference['source']}”")
    if found["related_seeds"]:
        echo("related seeds:")
    for relation in found["related_seeds"]:
        echo(
            f"  seed {relation['seed_id']} ↔ seed {relation['related_seed_id']} {relation['related_path']}: "
            f"{relation['reason']} {relation['score']:.2f} {', '.join(relation['shared'][:8])}"
        )


def archive_line(source: dict) -> str:
    """What the archives said of a source: `archived`, or `not archived; asked again after …`."""
    state = source["archive_state"].replace("_", " ")
    if source.get("archive_due_at"):
        state += f"; asked again after {str(source['archive_due_at'])[:16].replace('T', ' ')} UTC"
    return state


def work_line(stats) -> str:
    return (
        f"sentences translated {stats.translated}, from cache {stats.cache_hits}, "
        f"translations reused {stats.reused}, model loads {stats.model_loads}"
    )


def source_line(source) -> str:
    """One tab-separated line of `tracker sources`."""
    next_fetch = f"{source.next_fetch_at:%Y-%m-%d %H:%M}" if source.next_fetch_at else "-"
    interval = f"{source.check_interval // 60}m" if source.check_interval else "-"
    note = source.retired_reason or source.last_error or ""
    if source.archive_state:  # what the archives said: archived, not archived, unreachable
        note = "; ".join(filter(None, [note, f"archive: {source.archive_state.replace('_', ' ')}"]))
    fields = [
        str(source.id),
        source.state,
        f"next {next_fetch}",
        f"every {interval}",
        f"failures {source.failures}",
        f"changes {source.changes}",
        source.url,
    ]
    return "\t".join(shown(field) for field in fields + ([note] if note else []))  # a tab in a URL is not a column


def detail_lines(details: list[dict]) -> list[str]:
    """One line per seed detail the source does not bear out."""
    lines = []
    for detail in details:
        seed = f"“{detail['text']}”" if detail["text"] else "the seed's claim"
        source = f"; the source says “{detail['source_text']}”" if detail.get("source_text") else ""
        lines.append(f"not in the source ({detail['kind']}): {seed}{source}")
    return lines


def attribution_line(a: dict) -> str:
    """``Donald Trump ("he", antecedent; Republican nominee) [added: speech verb] 0.75``."""
    who = a["name"] or a["source"]
    details = []
    if a["name"] and a["source"] != a["name"]:
        details.append(f'"{a["source"]}", {a["resolved_by"]}')
    details += [d for d in (a["role"], a["organization"]) if d and d not in (a["name"], a["source"])]
    line = who + (f" ({'; '.join(details)})" if details else "")
    line += f" [{a['cue']}: {a['cue_kind']}]"
    if a["confidence"] is not None:
        line += f" {a['confidence']:.2f}"
    if a["content"]:
        content = a["content"] if len(a["content"]) <= 80 else a["content"][:79] + "…"
        line += f" — {content}"
    return line


def language_label(version: dict) -> str:
    """`vi`, or `sw, uncertain` when the language of an original is not to be trusted."""
    status = version.get("language_status")
    language = version["language"] or "?"
    return f"{language}, {status}" if status in ("uncertain", "undetermined") else language
