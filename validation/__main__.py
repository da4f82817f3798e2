"""``python -m validation``: see validation.cli."""

from validation.cli import main

# Guarded: ``--jobs`` workers import the main module again, and must not run it.
if __name__ == "__main__":
    raise SystemExit(main())
