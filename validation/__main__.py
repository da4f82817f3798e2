"""``python -m validation``: see validation.cli."""

from validation.cli import main

raise SystemExit(main())
