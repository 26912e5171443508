"""Keep secrets off disk: redaction by name (env names, JSON keys, flags) and by value shape
(bearer and basic credentials, well-known token formats, ``key=value`` pairs whose key names a
secret, URL userinfo), in plain text and inside inline JSON."""

from __future__ import annotations

import json
import re
import typing as t

REDACTED = "<redacted>"
_SECRET_WORDS = ("KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "COOKIE",
                 "AUTHORIZATION", "BEARER")
_SECRET_WORD_RE = "|".join(w.lower() for w in _SECRET_WORDS)
CREDENTIAL_FLAG = re.compile(r"^--(api[-_]?key|token|secret|password|passwd|auth[-_]?token)")
CREDENTIAL_FLAG_ALLOWED = frozenset({"--secret-env-vars"})

_SHAPES: tuple[tuple[re.Pattern[str], str], ...] = (
    # scheme://user:password@host
    (re.compile(r"(?P<keep>[A-Za-z][A-Za-z0-9+.-]*://)[^/@\s]+@"), rf"\g<keep>{REDACTED}@"),
    # Authorization: Bearer x / Basic x / token x
    (re.compile(r"(?i)(?P<keep>\b(?:bearer|basic|token)\s+)[A-Za-z0-9._~+/=-]{8,}"),
     rf"\g<keep>{REDACTED}"),
    # name=value where the name says secret (Codex -c model_providers.x.api_key="…", URLs);
    # a bare "key=" is prose more often than a credential
    (re.compile(rf"(?i)(?P<keep>\b(?!key\b)[A-Za-z0-9_.-]*(?:{_SECRET_WORD_RE})[A-Za-z0-9_]*"
                r"[\"']?\s*[=:]\s*)(?:\"[^\"]*\"|'[^']*'|[^\s&;,\"']+)"),
     rf"\g<keep>{REDACTED}"),
    # well-known token formats: OpenAI/Anthropic, GitHub, GitLab, Slack, AWS, Google, JWT
    (re.compile(r"\b(?:sk-[A-Za-z0-9_-]{16,}|gh[pousr]_[A-Za-z0-9]{20,}"
                r"|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{20,}"
                r"|xox[abposr]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{30,}"
                r"|eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})"), REDACTED),
)


def is_secret_name(name: str) -> bool:
    """True for environment variable or JSON key names that look like they hold a secret.

    >>> [is_secret_name(n) for n in ("ANTHROPIC_API_KEY", "githubToken", "Authorization",
    ...                              "HOME")]
    [True, True, True, False]
    """
    upper = name.upper()
    return any(word in upper for word in _SECRET_WORDS)


def is_credential_flag(flag: str) -> bool:
    """True for command-line flags that carry a credential (``--api-key``, ``--token=…``).

    >>> [is_credential_flag(f) for f in ("--api-key", "--token-file", "-m")]
    [True, True, False]
    """
    name = flag.split("=", 1)[0]
    return name not in CREDENTIAL_FLAG_ALLOWED and bool(CREDENTIAL_FLAG.match(name))


def redact_shapes(text: str) -> str:
    """Redact every credential-shaped part of free text (no JSON parsing).

    >>> redact_shapes('model_providers.x.api_key="sk-1" -m o3')
    'model_providers.x.api_key=<redacted> -m o3'
    >>> redact_shapes("https://user:pw@example.com/x?access_token=abc&y=1")
    'https://<redacted>@example.com/x?access_token=<redacted>&y=1'
    >>> redact_shapes("Authorization: Bearer abcdefgh1234")
    'Authorization: <redacted> <redacted>'
    """
    for pattern, replacement in _SHAPES:
        text = pattern.sub(replacement, text)
    return text


def redact_text(value: str) -> str:
    """Redact credentials inside a free-form value: inline JSON (secret-named keys, and every
    string by shape) or plain text (by shape).

    >>> redact_text('{"env": {"API_KEY": "sk-1", "MODE": "x"}}')
    '{"env": {"API_KEY": "<redacted>", "MODE": "x"}}'
    >>> redact_text('{"mcp": {"headers": {"X-Auth": "Bearer abcdefgh12"}}}')
    '{"mcp": {"headers": {"X-Auth": "Bearer <redacted>"}}}'
    """
    stripped = value.strip()
    if stripped.startswith(("{", "[")):
        try:
            data = json.loads(stripped)
        except (ValueError, RecursionError):
            data = None
        if data is not None:
            cleaned = _redact_json(data)
            return json.dumps(cleaned, ensure_ascii=False) if cleaned != data else value
    return redact_shapes(value)


def _redact_json(data: t.Any, depth: int = 0) -> t.Any:
    if depth > 64:
        return REDACTED
    if isinstance(data, dict):
        return {k: REDACTED if is_secret_name(str(k)) and isinstance(v, (str, int, float))
                else _redact_json(v, depth + 1) for k, v in data.items()}
    if isinstance(data, list):
        return [_redact_json(v, depth + 1) for v in data]
    if isinstance(data, str):
        return redact_text(data) if depth < 64 else redact_shapes(data)
    return data


def redact_env(env: dict[str, str], allow: t.Collection[str] = ()) -> dict[str, str]:
    """Copy of ``env`` with secret-named values (unless allowlisted) redacted, and every
    other value redacted by shape (a URL with ``user:password@``, a token)."""
    return {name: value if name in allow else REDACTED if is_secret_name(name)
            else redact_text(value) for name, value in env.items()}
