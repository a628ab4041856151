"""Child processes a test may stop with SIGINT, started the same whatever started the tests.

A shell starts a background job (`make test &`, nohup, some CI runners) with SIGINT ignored, and
an ignored signal stays ignored across fork and exec: Python then installs no KeyboardInterrupt
handler, so a child never sees the Ctrl-C its test sends. A child started here gets SIGINT back
at its default, as it would from a terminal. (tracker itself rightly keeps an inherited SIG_IGN:
a background job is not meant to be stopped by the terminal's Ctrl-C.)
"""

from __future__ import annotations

import signal
import subprocess


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def popen(command: list[str], **kwargs) -> subprocess.Popen:
    """subprocess.Popen, with SIGINT at its default in the child."""
    # preexec_fn runs between fork and exec; it only calls signal(2), which is safe there even
    # with other threads (the tests' HTTP servers) running in the parent.
    return subprocess.Popen(command, preexec_fn=_default_sigint, **kwargs)
