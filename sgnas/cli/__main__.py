"""``python -m sgnas.cli``: the ``sgnas`` command."""

import sys

from sgnas.cli import main

sys.exit(main())
