from __future__ import annotations

import sys

if len(sys.argv) > 1 and sys.argv[1] == "hook":
    # resurrect's hot path: skip the CLI's imports
    from assistant_resurrect.hooks import run_hook

    sys.exit(run_hook(sys.argv[2] if len(sys.argv) > 2 else "", sys.argv[3:]))

from assistant_resurrect.cli import main

sys.exit(main())
