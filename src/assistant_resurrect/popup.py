"""The conversations popup behind ``prefix + A``: ``sessions`` (live, saved and orphaned, newest
first) in a small prompt_toolkit TUI inside a tmux ``display-popup``.

Type to filter (every word must appear in the directory, title, tool or id); ↑/↓ select (the
list then has the focus, and typing goes back to the filter); Enter resumes the selected
conversation into a new window in its directory, or goes to the pane of a live one; ``r``
restores a saved one into its saved pane; Esc or ``q`` closes. Where popups are unavailable
(tmux before 3.2, no prompt_toolkit) the binding opens the ``display-menu`` instead.
"""

from __future__ import annotations

import importlib.util
import logging
import sys
import time
import typing as t

from assistant_resurrect import conversations, recovery, terminal
from assistant_resurrect.conversations import Conversation, ConversationState
from assistant_resurrect.exc import AssistantResurrectError
from assistant_resurrect.recovery import Action, Context

log = logging.getLogger(__name__)
HELP = " type to filter · ↑↓ select · Enter resume (a new window) · r restore in place · Esc quit"


def available(tmux_version: tuple[int, int]) -> bool:
    """True when a ``display-popup`` with the TUI can open (tmux 3.2+, prompt_toolkit)."""
    return tmux_version >= (3, 2) and importlib.util.find_spec("prompt_toolkit") is not None


def run(ctx: Context, client: str | None) -> int:
    """Inside the popup: the TUI on this terminal, then the chosen action
    (:func:`recovery.act`) said in a ``display-message`` on ``client``; returns 0."""
    now = time.time()
    rows, saved = recovery.conversation_rows(ctx, now)
    picked = pick(rows, now)
    if picked is None:
        return 0
    action, row = picked
    if action is Action.RESUME and not row.pane:
        sys.stdout.write(terminal.safe(f"resuming {row.tool} {row.session_id} in {row.cwd} …\n"))
        sys.stdout.flush()
    try:
        message = recovery.act(ctx, action, row, saved, client)
    except AssistantResurrectError as err:
        message = str(err)
    if message:  # a restore in place says its own summary
        log.info("popup %s: %s", action.value, message)
        ctx.tmux.display_message(f"assistant-resurrect: {message}".strip())
    return 0


def matches(row: Conversation, words: t.Sequence[str]) -> bool:
    """Every word (lower case) appears in the row's directory, title, tool or id."""
    text = " ".join((row.cwd, row.title, row.tool, row.session_id)).lower()
    return all(word in text for word in words)


def pick(rows: list[Conversation], now: float) -> tuple[Action, Conversation] | None:
    """Run the TUI on the terminal; the chosen (action, row), or None when closed."""
    from prompt_toolkit.application import Application
    from prompt_toolkit.buffer import Buffer
    from prompt_toolkit.filters import has_focus
    from prompt_toolkit.formatted_text import StyleAndTextTuples
    from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
    from prompt_toolkit.layout import HSplit, Layout, Window
    from prompt_toolkit.layout.controls import BufferControl, FormattedTextControl

    shown, selected = rows, 0
    query = Buffer(multiline=False)

    def refilter(_: object) -> None:
        nonlocal shown, selected
        words = query.text.lower().split()
        shown, selected = [row for row in rows if matches(row, words)], 0

    query.on_text_changed += refilter

    def lines() -> StyleAndTextTuples:
        width = max(40, app.output.get_size().columns)
        table = conversations.table(shown, now, width)
        out: StyleAndTextTuples = [("bold", table[0] + "\n")]
        for i, line in enumerate(table[1:]):
            out.append(("reverse" if i == selected else "", line + "\n"))
        if not shown:
            out.append(("italic", "  no conversation matches\n"))
        return out

    listing = FormattedTextControl(lines, focusable=True, show_cursor=False)
    keys = KeyBindings()
    on_list = has_focus(listing)

    def move(step: int) -> t.Callable[[KeyPressEvent], None]:
        def handler(event: KeyPressEvent) -> None:
            nonlocal selected
            selected = max(0, min(len(shown) - 1, selected + step))
            event.app.layout.focus(listing)
        return handler

    for key, step in (("up", -1), ("c-p", -1), ("down", 1), ("c-n", 1), ("pageup", -10),
                      ("pagedown", 10)):
        keys.add(key)(move(step))

    def chosen() -> Conversation | None:
        return shown[selected] if shown else None

    @keys.add("enter")
    def _resume(event: KeyPressEvent) -> None:
        row = chosen()
        if row is not None:
            event.app.exit(result=(Action.RESUME, row))

    @keys.add("r", filter=on_list)
    def _restore(event: KeyPressEvent) -> None:
        row = chosen()
        if row is not None and row.state is ConversationState.SAVED:
            event.app.exit(result=(Action.RESTORE, row))

    @keys.add("escape", eager=True)
    @keys.add("c-c")
    @keys.add("q", filter=on_list)
    def _quit(event: KeyPressEvent) -> None:
        event.app.exit(result=None)

    @keys.add("<any>", filter=on_list)
    def _type(event: KeyPressEvent) -> None:
        if event.data.isprintable():
            query.insert_text(event.data)
        event.app.layout.focus(query)

    @keys.add("backspace", filter=on_list)
    def _erase(event: KeyPressEvent) -> None:
        query.delete_before_cursor()
        event.app.layout.focus(query)

    layout = Layout(HSplit([
        Window(FormattedTextControl([("reverse", HELP)]), height=1),
        Window(BufferControl(query), height=1, get_line_prefix=lambda *_: "filter> "),
        Window(listing),
    ]), focused_element=query)
    app: Application[tuple[Action, Conversation] | None] = Application(
        layout=layout, key_bindings=keys, full_screen=True, mouse_support=False)
    return app.run()
