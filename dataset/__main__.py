"""``python -m dataset``: see dataset.cli."""

from dataset.cli import main

raise SystemExit(main())
