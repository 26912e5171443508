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
# a flag of any tool whose name says it carries a credential (FlagSpec.not_credentials
# names the ones of a tool that do not, checked against its --help)
CREDENTIAL_FLAG_WORDS = ("key", "token", "secret", "password", "passwd", "auth", "credential",
                         "cookie")

# Token formats as their issuers document them (prefix and alphabet), the same families
# gitleaks' default rules cover: one alternation, so a value is scanned once.
TOKEN_SHAPES: tuple[tuple[str, str], ...] = (
    ("OpenAI, Anthropic, OpenRouter, DeepSeek", r"sk-[A-Za-z0-9_-]{16,}"),
    ("Stripe secret and restricted keys", r"[rs]k_(?:live|test)_[A-Za-z0-9]{10,}"),
    ("Stripe webhook secret", r"whsec_[A-Za-z0-9]{20,}"),
    ("GitHub", r"gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}"),
    ("GitLab", r"gl(?:pat|dt|rt|ptt|soat|cbt|imt|ffct|oas|agent)-[A-Za-z0-9_-]{20,}"),
    ("Slack", r"xox[abposre]-[A-Za-z0-9-]{10,}|xapp-[A-Za-z0-9-]{10,}"),
    ("AWS access key id", r"(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ABIA|ACCA)[A-Z0-9]{16}"),
    ("Google API key, OAuth token and client secret",
     r"AIza[0-9A-Za-z_-]{30,}|ya29\.[0-9A-Za-z_-]{20,}|GOCSPX-[A-Za-z0-9_-]{20,}"),
    ("Hugging Face", r"hf_[A-Za-z0-9]{30,}"),
    ("Groq", r"gsk_[A-Za-z0-9]{40,}"),
    ("xAI", r"xai-[A-Za-z0-9]{40,}"),
    ("Perplexity", r"pplx-[A-Za-z0-9]{40,}"),
    ("Replicate", r"r8_[A-Za-z0-9]{30,}"),
    ("Fireworks", r"fw_[A-Za-z0-9]{20,}"),
    ("Cerebras", r"csk-[a-z0-9]{40,}"),
    ("LangSmith", r"lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}"),
    ("npm", r"npm_[A-Za-z0-9]{36}"),
    ("PyPI", r"pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{40,}"),
    ("Docker Hub", r"dckr_pat_[A-Za-z0-9_-]{20,}"),
    ("DigitalOcean", r"do[opr]_v1_[a-f0-9]{64}"),
    ("Doppler", r"dp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9]{40,}"),
    ("Databricks", r"dapi[a-f0-9]{32}"),
    ("SendGrid", r"SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}"),
    ("Twilio API key", r"SK[0-9a-fA-F]{32}"),
    ("Mailgun", r"key-[a-f0-9]{32}"),
    ("Shopify", r"shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}"),
    ("Atlassian", r"ATATT3[A-Za-z0-9_=-]{60,}"),
    ("Linear", r"lin_(?:api|oauth)_[A-Za-z0-9]{40}"),
    ("Notion", r"ntn_[A-Za-z0-9]{40,}|secret_[A-Za-z0-9]{43}"),
    ("Sentry", r"sntry[su]_[A-Za-z0-9=_+/-]{20,}"),
    ("Grafana", r"glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|glc_[A-Za-z0-9+/]{32,}"),
    ("Postman", r"PMAK-[a-f0-9]{24}-[a-f0-9]{34}"),
    ("Sourcegraph and Amp", r"sg(?:p|amp|ph)_[A-Za-z0-9_]{20,}"),
    ("Supabase", r"sbp_[a-f0-9]{40}"),
    ("Netlify", r"nfp_[A-Za-z0-9]{36}"),
    ("Fly.io", r"fo1_[A-Za-z0-9_-]{40,}|fm2_[A-Za-z0-9_+/=-]{40,}"),
    ("Heroku", r"HRKU-[A-Za-z0-9_-]{40,}"),
    ("Pulumi", r"pul-[a-f0-9]{40}"),
    ("Terraform Cloud", r"[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,}"),
    ("HashiCorp Vault", r"hv[sbr]\.[A-Za-z0-9_-]{24,}"),
    ("1Password service account", r"ops_[A-Za-z0-9_-]{40,}"),
    ("Tailscale", r"tskey-[a-z]+-[A-Za-z0-9]{8,}-[A-Za-z0-9]{16,}"),
    ("Telegram bot", r"\d{8,10}:AA[A-Za-z0-9_-]{33}"),
    ("age secret key", r"AGE-SECRET-KEY-1[0-9A-Z]{58}"),
    ("JWT", r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
    # 40 base64 characters of mixed case with a digit, standing alone, not a path
    ("AWS secret access key", r"(?<![A-Za-z0-9/+=])(?!/)(?!\S*//)"
                              r"(?=[A-Za-z0-9/+]{0,39}[a-z])(?=[A-Za-z0-9/+]{0,39}[A-Z])"
                              r"(?=[A-Za-z0-9/+]{0,39}[0-9])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])"),
)
_TOKENS = re.compile(r"\b(?:" + "|".join(pattern for _, pattern in TOKEN_SHAPES[:-1])
                     + r")" + "|" + TOKEN_SHAPES[-1][1])
_FLAG_WORD_RE = "|".join(CREDENTIAL_FLAG_WORDS)

_SHAPES: tuple[tuple[re.Pattern[str], str], ...] = (
    # -----BEGIN … PRIVATE KEY----- to its end (or to the end of the text)
    (re.compile(r"-----BEGIN[A-Z ]*PRIVATE KEY-----(?:.*?-----END[A-Z ]*PRIVATE KEY-----|.*)",
                re.DOTALL), REDACTED),
    # scheme://user:password@host, the password holding anything but blanks and quotes (also
    # / and @, unencoded: clients split at the last @)
    (re.compile(r"(?P<keep>[A-Za-z][A-Za-z0-9+.-]*://)[^\s/@:\"'<>]*:[^\s\"'<>]*@"),
     rf"\g<keep>{REDACTED}@"),
    # scheme://token@host
    (re.compile(r"(?P<keep>[A-Za-z][A-Za-z0-9+.-]*://)[^/@\s\"'<>]+@"), rf"\g<keep>{REDACTED}@"),
    # Authorization: Bearer x / Basic x / token x
    (re.compile(r"(?i)(?P<keep>\b(?:bearer|basic|token)\s+)[A-Za-z0-9._~+/=-]{8,}"),
     rf"\g<keep>{REDACTED}"),
    # --api-key VALUE, --token VALUE inside a command line held in one string
    (re.compile(rf"(?i)(?P<keep>(?<![\w-])--?[a-z0-9-]*(?:{_FLAG_WORD_RE})[a-z0-9-]*\s+)"
                r"(?!-)(?:\"[^\"]*\"|'[^']*'|\S+)"), rf"\g<keep>{REDACTED}"),
    # "--token", "VALUE": an argv written as a JSON or Python list inside a longer text
    (re.compile(rf"(?i)(?P<keep>(?P<q>[\"'])--?[a-z0-9-]*(?:{_FLAG_WORD_RE})[a-z0-9-]*(?P=q)"
                r"\s*,\s*)(?P<v>[\"'])(?:(?!(?P=v)).)*(?P=v)"), rf"\g<keep>\g<v>{REDACTED}\g<v>"),
    # name=value where the name says secret (Codex -c model_providers.x.api_key="…", URLs);
    # a bare "key=" is prose more often than a credential
    (re.compile(rf"(?i)(?P<keep>\b(?!key\b)[A-Za-z0-9_.-]*(?:{_SECRET_WORD_RE})[A-Za-z0-9_]*"
                r"[\"']?\s*[=:]\s*)(?:\"[^\"]*\"|'[^']*'|[^\s&;,\"']+)"),
     rf"\g<keep>{REDACTED}"),
    (_TOKENS, REDACTED),
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
    """True for a command-line flag whose name says it carries a credential, of any tool
    (``--api-key``, ``--openai-api-key``, ``--token=…``, ``--auth-password``).

    >>> [is_credential_flag(f) for f in ("--api-key", "--openai-api-key=x", "--token-file",
    ...                                  "-m", "--model", "key")]
    [True, True, True, False, False, False]
    """
    name = flag.split("=", 1)[0]
    if not name.startswith("-"):
        return False
    words = name.lstrip("-").lower()
    return any(word in words for word in CREDENTIAL_FLAG_WORDS)


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
    if isinstance(data, list):  # an argv inside JSON: ["--token", "x"] hides the "x"
        return [REDACTED if i and isinstance(v, str) and isinstance(data[i - 1], str)
                and is_credential_flag(data[i - 1]) and "=" not in data[i - 1]
                else _redact_json(v, depth + 1) for i, v in enumerate(data)]
    if isinstance(data, str):
        return redact_text(data) if depth < 64 else redact_shapes(data)
    return data


def redact_env(env: dict[str, str], allow: t.Collection[str] = ()) -> dict[str, str]:
    """Copy of ``env`` with secret-named values (unless allowlisted) redacted, and every
    other value redacted by shape (a URL with ``user:password@``, a token)."""
    return {name: value if name in allow else REDACTED if is_secret_name(name)
            else redact_text(value) for name, value in env.items()}
