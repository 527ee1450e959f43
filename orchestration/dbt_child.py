"""`ogp-dbt`: dbt, started so that it dies with the process that started it.

dagster-dbt runs dbt as a child process. When `ogp` (or a run worker) is killed with SIGKILL it
cannot stop its children, and a dbt build would go on writing the warehouse with no run to answer
for it. This entry point asks Linux to send the child SIGKILL when its parent dies
(PR_SET_PDEATHSIG, kept across exec), then becomes the dbt installed beside this Python."""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from pathlib import Path

PR_SET_PDEATHSIG = 1


def main() -> None:
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() == 1:  # the parent died before the request was made
            sys.exit(1)
    dbt = Path(sys.executable).parent / "dbt"
    os.execv(str(dbt), [str(dbt), *sys.argv[1:]])


if __name__ == "__main__":
    main()
