"""The fault suite's lab: a :class:`Lab` whose plugin runs through ``test/faults/faulty-python``."""

from __future__ import annotations

import json
import pathlib
import typing as t

from support.lab import REPO, Lab

FAULTY_PYTHON = REPO / "test/faults/faulty-python"


class FaultLab(Lab):
    """A :class:`Lab` whose hooks run with one fault armed at a time."""

    def arm(self, fault: str = "") -> None:
        """Arm ``fault`` (see inject.py) for every hook run from now on; '' disarms."""
        if fault:
            self.tmux("set-environment", "-g", "AR_FAULT", fault)
        else:
            self.tmux("set-environment", "-gu", "AR_FAULT", check=False)

    def log(self, name: str = "save.log") -> str:
        path = self.state_dir / name
        return path.read_text(errors="replace") if path.exists() else ""

    def store(self) -> pathlib.Path:
        return self.resurrect_dir / "assistant-resurrect"

    def sidecar_for(self, save_file: pathlib.Path) -> dict[str, t.Any]:
        return json.loads((self.store() / (save_file.stem + ".json")).read_text())

    def point_last(self, save_file: pathlib.Path) -> None:
        last = self.resurrect_dir / "last"
        last.unlink(missing_ok=True)
        last.symlink_to(save_file.name)
