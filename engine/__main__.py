"""`python -m engine`: the same as the `hailsham` command."""

import sys

from engine.cli import main

sys.exit(main())
