"""Work that must not grow badly: elsewhere-detection over a deep process chain, and the
prune after every save over a store of thousands of sidecars. Counted, not timed."""

from __future__ import annotations

import json
import pathlib

import pytest

from assistant_resurrect import detect, snapshot
from assistant_resurrect.assistants import ASSISTANTS
from assistant_resurrect.procs import ProcessTable, ProcInfo


@pytest.mark.parametrize("assistant_every", [1, 5, 0])
def test_elsewhere_detection_is_linear_in_a_250_deep_chain(
        monkeypatch: pytest.MonkeyPatch, assistant_every: int) -> None:
    procs = [ProcInfo(1, 0, "init", 1.0, ["init"], "/sbin/init", "/")]
    for depth in range(2, 252):
        codex = assistant_every and depth % assistant_every == 0
        argv = ["node", "/usr/lib/node_modules/@openai/codex/bin/codex.js"] if codex else [
            "node", "/srv/app.js"]
        procs.append(ProcInfo(depth, depth - 1, "node", 1.0, argv, "/usr/bin/node", "/w"))
    table = ProcessTable(procs)
    calls = 0
    real = detect._interactive_index

    def counted(tool: object, proc: object) -> int | None:
        nonlocal calls
        calls += 1
        return real(tool, proc)  # type: ignore[arg-type]

    monkeypatch.setattr(detect, "_interactive_index", counted)
    found = detect.detect_elsewhere(table, set())
    assert calls <= len(procs) * len(ASSISTANTS)
    assert len(found) == (1 if assistant_every else 0)  # the outermost; the rest is its tree
    if assistant_every == 1:
        assert len(found[0][1].family) == 250


def test_pruning_reads_one_sidecar_however_many_there_are(tmp_path: pathlib.Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    store = snapshot.store_dir(tmp_path)
    store.mkdir()
    empty = json.dumps({"format": snapshot.FORMAT, "version": 1, "created_at": 1, "panes": []})
    for i in range(10_000):
        name = f"tmux_resurrect_2026{i // 3600:04d}T{i % 3600:06d}"
        (tmp_path / f"{name}.txt").write_text("")
        (store / f"{name}.json").write_text(empty)
    loads = 0
    real = snapshot.load

    def counted(path: pathlib.Path) -> snapshot.Snapshot:
        nonlocal loads
        loads += 1
        return real(path)

    monkeypatch.setattr(snapshot, "load", counted)
    snapshot.purge(tmp_path)  # the first prune of such a store scans it once
    first, loads = loads, 0
    for _ in range(3):
        snapshot.purge(tmp_path)
    assert first == 10_000 and loads == 0
    good = snapshot.PaneSession("s", 0, 0, "claude", "/w", session_id="abcd-1234")
    snapshot.write(store / "tmux_resurrect_99990101T000000.json", snapshot.Snapshot([good]))
    (tmp_path / "tmux_resurrect_99990101T000000.txt").write_text("")
    snapshot.purge(tmp_path)
    assert loads <= 2  # the pointer's target, and the written file's own comparison
