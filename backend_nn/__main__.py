"""``python -m backend_nn``: the command line (see :mod:`backend_nn.cli`)."""

from .cli import main

raise SystemExit(main())
