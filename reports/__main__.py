"""`python -m reports` runs the command line."""

import sys

from reports.cli import main

sys.exit(main())
