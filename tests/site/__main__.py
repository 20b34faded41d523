"""Serve the fixture site in the foreground: `python -m tests.site [--port P] [--generate N]`."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading

from tests.site import FixtureSite


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument(
        "--generate", type=int, default=0, help="serve N generated pages under /gen/"
    )
    parser.add_argument(
        "--latency", type=float, default=0.0, help="seconds every answer waits (bench)"
    )
    args = parser.parse_args()
    site = FixtureSite(port=args.port, generated=args.generate, latency=args.latency).start()
    sys.stdout.write(site.url + "\n")
    sys.stdout.flush()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    with contextlib.suppress(KeyboardInterrupt):
        done.wait()
    site.stop()


if __name__ == "__main__":
    main()
