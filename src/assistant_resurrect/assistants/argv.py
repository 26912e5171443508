"""Split an assistant's argv into what we replay on resume and what we must not.

One generic walker, driven by each assistant's :class:`FlagSpec`; it never guesses from
substrings. Tokens are exact argv elements, so values with spaces, quotes or newlines survive.
"""

from __future__ import annotations

import types
import typing as t

from assistant_resurrect import redact

_EMPTY: t.Mapping[str, t.Any] = types.MappingProxyType({})


class FlagSpec(t.NamedTuple):
    """What one CLI's options mean, as its pinned ``--help`` documents them.

    Attributes
    ----------
    takes_value
        Options followed by exactly one value (``--model opus``, ``-m opus``, ``--model=opus``).
    optional_value
        Options whose value is optional (Claude ``--resume [id]``): the next token is taken
        unless it starts with ``-``.
    variadic
        Options taking values up to the next option (Claude ``--allowedTools a b``).
    selectors
        Session-selection options, dropped (their value is a session id or a picker).
    dropped
        Options never replayed (print mode, worktree creation, one-shot inputs).
    rejected
        Options (``--full-auto``) or option values (``-a=on-failure``) the installed CLI
        refuses: a replacement tuple, None to drop it, or a string: the reason to refuse.
    restrictions
        Options that limit the assistant's power: losing one refuses the resume.
    credentials
        Options whose value is a credential though their name does not say so (Cline
        ``-k``): never replayed, their value never saved. For every tool, an option whose
        name says so (``--api-key``, ``--openai-api-key``, ``*token*``, ``*secret*``,
        ``*auth*``, …: :func:`redact.is_credential_flag`) is one as well, unless it is in
        :attr:`not_credentials`.
    not_credentials
        Options of the pinned CLI whose name matches that rule but whose value is no secret
        (Qwen ``--auth-type openai``), each checked against its ``--help`` (the contract
        tests).
    subcommands
        Leading positional words with meaning (Codex ``resume``/``fork``): word → True when
        its following positional is a session id.
    """

    takes_value: frozenset[str] = frozenset()
    optional_value: frozenset[str] = frozenset()
    variadic: frozenset[str] = frozenset()
    selectors: frozenset[str] = frozenset()
    dropped: frozenset[str] = frozenset()
    rejected: t.Mapping[str, tuple[str, ...] | str | None] = _EMPTY
    restrictions: frozenset[str] = frozenset()
    subcommands: t.Mapping[str, bool] = _EMPTY
    credentials: frozenset[str] = frozenset()
    not_credentials: frozenset[str] = frozenset()

    def is_credential(self, option: str) -> bool:
        """True when ``option`` (``--key`` or ``--key=value``) carries a credential."""
        name = option.split("=", 1)[0]
        return name in self.credentials or (name not in self.not_credentials
                                            and redact.is_credential_flag(name))


class ArgSplit:
    """The result of :func:`split_args`.

    Attributes
    ----------
    groups
        Option groups to replay (an option with its values), in their original order and
        spelling, rejected ones mapped.
    selector_values
        {option or subcommand: value} for session selectors seen (e.g. ``{"--resume": id}``).
    notes
        Human-readable log lines about what was dropped or mapped (never a secret value).
    refused
        Why this argv must not be replayed at all, or None.
    prompted
        A positional prompt was given (a one-shot run for tools that need ``-i`` for a TUI).
    """

    def __init__(self) -> None:
        self.groups: list[list[str]] = []
        self.selector_values: dict[str, str] = {}
        self.notes: list[str] = []
        self.refused: str | None = None
        self.prompted = False

    @property
    def kept(self) -> list[str]:
        """The tokens to replay, flattened."""
        return [tok for group in self.groups for tok in group]

    def value(self, option: str) -> str | None:
        """The value a kept ``option`` was given (``--x V`` or ``--x=V``; the last one wins),
        None when it is not among :attr:`groups`."""
        found = None
        for first, *rest in self.groups:
            name, eq, attached = first.partition("=")
            if name == option:
                found = attached if eq else (rest[0] if rest else None)
        return found


def _option_name(token: str, spec: FlagSpec) -> tuple[str, str | None]:
    """(option name, attached value or None) for ``--a=b``, ``-mopus`` or ``--a``."""
    if token.startswith("--"):
        name, eq, value = token.partition("=")
        return name, (value if eq else None)
    short = token[:2]
    if len(token) > 2 and short in spec.takes_value:
        return short, token[2:]
    return token, None


def split_args(args: list[str], spec: FlagSpec) -> ArgSplit:
    """Walk ``args`` (argv after the program) and decide the fate of every token.

    The first positional that is not a known subcommand is a prompt: it and everything after
    it are dropped, and if a restriction option stood among them the replay is refused.

    >>> spec = FlagSpec(takes_value=frozenset({"--model"}),
    ...                 optional_value=frozenset({"--resume"}), selectors=frozenset({"--resume"}),
    ...                 restrictions=frozenset({"--tools"}))
    >>> s = split_args(["--model", "a b", "--resume", "X", "--api-key=k", "fix it", "--tools"],
    ...                spec)
    >>> s.kept, s.selector_values
    (['--model', 'a b'], {'--resume': 'X'})
    >>> s.value("--model"), s.value("--resume")
    ('a b', None)
    >>> s.refused
    'restriction --tools came after a prompt; cannot replay it'
    """
    out = ArgSplit()
    i = 0
    seen_positional = False
    while i < len(args):
        token = args[i]
        if token == "--" or not token.startswith("-") or token == "-":
            if not seen_positional and token in spec.subcommands:
                sub = token
                seen_positional = True
                takes_id = spec.subcommands[sub]
                nxt = args[i + 1] if i + 1 < len(args) else None
                if takes_id and nxt is not None and not nxt.startswith("-"):
                    out.selector_values[sub] = nxt
                    i += 2
                else:
                    out.selector_values[sub] = ""
                    i += 1
                continue
            _drop_tail(args[i:], spec, out)
            break
        name, attached = _option_name(token, spec)
        values: list[str] = []
        if attached is not None:
            count = 1
        elif name in spec.takes_value:
            values = args[i + 1 : i + 2]
            count = 1 + len(values)
        elif (name in spec.optional_value or spec.is_credential(name)) and \
                i + 1 < len(args) and not args[i + 1].startswith("-"):
            values = [args[i + 1]]
            count = 2
        elif name in spec.variadic:
            count = 1
            while i + count < len(args) and not args[i + count].startswith("-"):
                count += 1
        else:
            count = 1
        _classify(name, args[i : i + count], attached if attached is not None else
                  (values[0] if values else ""), spec, out)
        i += count
    return out


def _classify(name: str, group: list[str], value: str, spec: FlagSpec, out: ArgSplit) -> None:
    if spec.is_credential(name):
        out.notes.append(f"dropped credential option {name}")
    elif name in spec.selectors:
        out.selector_values[name] = value
    elif name in spec.dropped:
        out.notes.append(f"dropped {name} (not replayable)")
    elif f"{name}={value}" in spec.rejected or name in spec.rejected:
        replacement = spec.rejected.get(f"{name}={value}", spec.rejected.get(name))
        shown = f"{name} {value}".strip() if f"{name}={value}" in spec.rejected else name
        if isinstance(replacement, str):
            out.refused = f"{shown}: {replacement}"
        elif replacement is None:
            out.notes.append(f"dropped {shown}: the installed CLI rejects it")
        else:
            out.groups.append(list(replacement))
            out.notes.append(f"mapped {shown} to {' '.join(replacement)}")
    else:
        out.groups.append(group)


def _drop_tail(tail: list[str], spec: FlagSpec, out: ArgSplit) -> None:
    out.prompted = True
    out.notes.append(f"dropped a prompt and {len(tail) - 1} token(s) after it")
    lost = [tok.split("=", 1)[0] for tok in tail if tok.split("=", 1)[0] in spec.restrictions]
    if lost:
        out.refused = f"restriction {lost[0]} came after a prompt; cannot replay it"
