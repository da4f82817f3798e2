"""``python -m validation``: see validation.run."""

from validation.run import main

raise SystemExit(main())
