"""How `tracker run` reports as it goes: progress bars on a terminal, plain timestamped lines
under cron or systemd, or JSON lines for log collectors."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from tracker.terminal import json_shown, shown

_DISPLAY_ONLY = {"stage", "progress", "step"}  # "step": where a run is, for tracker.stopping


class PlainLog:
    """One timestamped line per event, for cron mail and the journal."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr

    def __call__(self, message: str, event: str = "info", **fields: Any) -> None:
        if event not in _DISPLAY_ONLY and message:
            print(f"{_now()} {shown(message)}", file=self.stream, flush=True)

    def download_progress(self, label: str):
        return None

    def close(self) -> None:
        pass


class JsonLog(PlainLog):
    """One JSON object per event: {"time", "event", "message", ...fields}."""

    def __call__(self, message: str, event: str = "info", **fields: Any) -> None:
        if event not in _DISPLAY_ONLY:
            record = {"time": _now(), "event": event, "message": message, **fields}
            print(json_shown(json.dumps(record, ensure_ascii=False, default=str)), file=self.stream, flush=True)


class ProgressLog(PlainLog):
    """Rich progress bars per stage, with event lines printed above them."""

    def __init__(self, stream: TextIO | None = None) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, DownloadColumn, MofNCompleteColumn, Progress, TextColumn

        super().__init__(stream)
        self.console = Console(file=self.stream)
        self.progress = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=self.console, transient=True
        )
        self._download_columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn())
        self.tasks: dict[str, Any] = {}
        self.progress.start()

    def __call__(self, message: str, event: str = "info", **fields: Any) -> None:
        if event == "stage":
            self.tasks[fields["name"]] = self.progress.add_task(fields["name"], total=fields.get("total"))
        elif event == "progress":
            if fields["name"] in self.tasks:
                self.progress.advance(self.tasks[fields["name"]])
        elif message:
            self.console.print(shown(message), markup=False, highlight=False)

    def download_progress(self, label: str):
        task = self.progress.add_task(label, total=None)

        def progress(done: int, total: int | None) -> None:
            self.progress.update(task, completed=done, total=total)

        return progress

    def close(self) -> None:
        self.progress.stop()


def choose_log(json_lines: bool, stream: TextIO | None = None) -> PlainLog:
    stream = stream or sys.stderr
    if json_lines:
        return JsonLog(stream)
    return ProgressLog(stream) if stream.isatty() else PlainLog(stream)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
