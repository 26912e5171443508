"""Keep secrets off disk: redaction of env values, flag values, inline JSON and URLs."""

from __future__ import annotations

import json
import re
import typing as t

REDACTED = "<redacted>"
_SECRET_WORDS = ("KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "COOKIE")
_URL_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<info>[^/@\s]+)@")
CREDENTIAL_FLAG = re.compile(r"^--(api[-_]?key|token|secret|password|passwd|auth[-_]?token)")
CREDENTIAL_FLAG_ALLOWED = frozenset({"--secret-env-vars"})


def is_secret_name(name: str) -> bool:
    """True for environment variable or JSON key names that look like they hold a secret.

    >>> is_secret_name("ANTHROPIC_API_KEY"), is_secret_name("githubToken"), is_secret_name("HOME")
    (True, True, False)
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


def redact_text(value: str) -> str:
    """Redact credentials inside a free-form value: URL userinfo and secret keys of inline JSON.

    >>> redact_text("https://user:pw@example.com/x")
    'https://<redacted>@example.com/x'
    >>> redact_text('{"env": {"API_KEY": "sk-1", "MODE": "x"}}')
    '{"env": {"API_KEY": "<redacted>", "MODE": "x"}}'
    """
    stripped = value.strip()
    if stripped.startswith(("{", "[")):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError:
            data = None
        if data is not None:
            cleaned = _redact_json(data)
            if cleaned != data:
                return json.dumps(cleaned, ensure_ascii=False)
            return value
    return _URL_USERINFO.sub(lambda m: f"{m['scheme']}{REDACTED}@", value)


def _redact_json(data: t.Any) -> t.Any:
    if isinstance(data, dict):
        return {
            k: REDACTED if is_secret_name(str(k)) and isinstance(v, str) else _redact_json(v)
            for k, v in data.items()
        }
    if isinstance(data, list):
        return [_redact_json(v) for v in data]
    if isinstance(data, str):
        return _URL_USERINFO.sub(lambda m: f"{m['scheme']}{REDACTED}@", data)
    return data


def redact_env(env: dict[str, str], allow: t.Collection[str] = ()) -> dict[str, str]:
    """Copy of ``env`` whose secret-looking values (unless allowlisted) are redacted."""
    return {
        name: (value if name in allow or not is_secret_name(name) else REDACTED)
        for name, value in env.items()
    }
