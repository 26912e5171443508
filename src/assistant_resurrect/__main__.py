from __future__ import annotations

import sys

from assistant_resurrect.cli import main

sys.exit(main())
