"""What changed between two captures of a page, sentence by sentence: how many sentences were
added, removed or changed, so later stages (and alerts) can tell a one-word fix from a rewrite."""

from __future__ import annotations

from difflib import SequenceMatcher

from tracker.sentences import split_sentences

MAX_SENTENCES = 5000  # beyond this a page is compared whole only: matching costs up to n × m


def sentence_changes(before: str, after: str) -> dict[str, int] | None:
    """{"added", "removed", "changed", "kept"} sentences from `before` to `after` (the texts as
    compared: volatile lines left out, tracker.originals.volatile); None when either text has too
    many sentences to compare."""
    old = [span.text for span in split_sentences(before)]
    new = [span.text for span in split_sentences(after)]
    if len(old) > MAX_SENTENCES or len(new) > MAX_SENTENCES:
        return None
    counts = {"added": 0, "removed": 0, "changed": 0, "kept": 0}
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new).get_opcodes():
        if tag == "equal":
            counts["kept"] += i2 - i1
        elif tag == "insert":
            counts["added"] += j2 - j1
        elif tag == "delete":
            counts["removed"] += i2 - i1
        else:  # replace: pairs are changed sentences, the rest added or removed
            pairs = min(i2 - i1, j2 - j1)
            counts["changed"] += pairs
            counts["added"] += (j2 - j1) - pairs
            counts["removed"] += (i2 - i1) - pairs
    return counts
