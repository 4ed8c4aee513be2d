"""Entry point of ``python -m otop``."""

import sys

from otop.cli import main

sys.exit(main())
