"""Prefect's API server as a child of one ``tawthiq`` command (started by
:func:`tawthiq.prefect_api.local_api`).

It runs Prefect's own ASGI app under uvicorn, as Prefect's ephemeral server does, plus a
watchdog thread: when the parent process is gone (it ended, crashed or was SIGKILLed, and this
process was re-parented), the server shuts down, so no Prefect server outlives its command.
"""

from __future__ import annotations

import argparse
import os
import signal
import threading
import time


def watch_parent(parent: int, interval: float = 0.5) -> None:
    """Stop this process once ``parent`` is no longer its parent: SIGTERM first (uvicorn shuts
    down cleanly), then a hard exit if that has not ended it within 10 seconds."""
    while os.getppid() == parent:
        time.sleep(interval)
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(10)
    os._exit(1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--parent", type=int, required=True, help="pid of the command this server serves")
    args = parser.parse_args(argv)
    threading.Thread(target=watch_parent, args=(args.parent,), daemon=True, name="parent-watchdog").start()

    import uvicorn

    uvicorn.run("prefect.server.api.server:create_app", factory=True, host="127.0.0.1", port=args.port,
                log_level="error", lifespan="on")


if __name__ == "__main__":
    main()
