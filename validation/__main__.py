"""``python -m validation``: see validation.cli."""

import atexit
import contextlib
import os
import sys
import threading

from validation.cli import main


def leave(code: int) -> None:
    """Exit with ``code`` once everything an exit does that anyone sees is done (other
    threads finished, exit handlers run, output flushed), without tearing the interpreter
    down object by object: with Great Expectations loaded, that teardown takes longer than
    validating a small dataset (0.4 s of processor time), and the system frees the memory
    at once anyway."""
    for thread in threading.enumerate():
        if thread is not threading.main_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        # A reader that went away (``| head``) is no error of ours, as at a normal exit.
        with contextlib.suppress(OSError):
            stream.flush()
    os._exit(code)


# Guarded: ``--jobs`` workers import the main module again, and must not run it.
if __name__ == "__main__":
    leave(main())
