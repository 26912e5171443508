"""Hostile names and values (directories, tmux session names, conversation titles, captured
environment values) through save → restore → ``sessions`` → ``sessions resume`` →
``export`` → ``import``, on a real tmux server with bash, zsh and fish and the real OpenCode:
every pane comes back exact, nothing a payload asked for runs, nothing reaches the terminal.
``bench/hostile_roundtrip.py`` runs 10,000 values the same way."""

from __future__ import annotations

import random
import time
import typing as t

import pytest
from support import hostile
from support.lab import Lab

pytestmark = [pytest.mark.clis, pytest.mark.slow]
ROUNDS = 2


def test_hostile_values_through_the_whole_life_of_a_conversation(
        lab: Lab, figure: t.Callable[[str], None]) -> None:
    started, count = time.monotonic(), 0
    rng = random.Random(20261206)
    for _ in range(ROUNDS):
        count += hostile.run_round(lab, rng)
    figure(f"hostile round trip: {count} values in {time.monotonic() - started:.0f} s")
    assert count >= 300
