"""Entry point of ``python -m infra.local`` (see infra/local/server.py)."""

import sys

from infra.local.server import main

sys.exit(main())
