"""Entry point of the bundled app: the `reviewer` command line (a bare start opens the desktop app)."""

import multiprocessing
import sys

from reviewer.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # `reviewer import --bulk` parses in worker processes
    sys.exit(main())
