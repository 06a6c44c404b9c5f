"""``python -m cxkit``: the same as the ``cxkit`` command."""

from cxkit.cli import main

raise SystemExit(main())
