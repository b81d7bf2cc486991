"""Secrets never reach a file: every persisted text goes through `redact_text`.

A secret is the value of an environment variable whose name looks secret (``OPENAI_API_KEY``,
``HF_TOKEN``, ``DB_PASSWORD``...) and that is at least 8 characters long: configuration only ever
*names* such variables (``api_key_env``), so these values are exactly what a run must not write.
They are replaced wherever they appear: in model and server text as it enters (`distill.records.Sample`),
in every artifact `distill.io` writes, in the response cache, and in log records (`install_log_filter`).
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Mapping, Sequence

SECRET_NAME = re.compile(r"(KEY|TOKEN|SECRET|PASSWORD|CREDENTIAL)", re.IGNORECASE)
"""An environment variable whose value is a secret (when long enough: `_MIN_LENGTH`)."""
SECRET_KEY = re.compile(r"(^|[_\-.])(api_?key|key|token|secret|password|passwd|credentials?)$", re.IGNORECASE)
"""A config or record key whose string value is a secret (``api_key``, ``hf_token``, ``password``), as a
whole word at the end: not ``max_pair_tokens``, ``max_tokens`` or ``tokenizer``, which hold settings."""
REDACTED = "***redacted***"
_MIN_LENGTH = 8
"""Shorter values ("1", "true") would redact ordinary text and protect nothing."""


def secret_values(environ: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """The secret values in the environment, longest first (so a key that contains another goes whole).

    For the process environment this is called for every sample, so the scan is remembered and
    redone only when the environment's size or one of the secret variables changes (a microsecond,
    against ~100 us for a scan)."""
    if environ is not None:
        return _scan(environ)[1]
    fingerprint = (len(os.environ), *(os.environ.get(k) for k in _last[0]))
    if fingerprint != _last[2]:
        names, values = _scan(os.environ)
        _last[:] = [names, values, (len(os.environ), *(os.environ.get(k) for k in names))]
    return _last[1]


def _scan(environ: Mapping[str, str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    names = tuple(k for k in environ if SECRET_NAME.search(k))
    found = {environ[k] for k in names if len(environ[k]) >= _MIN_LENGTH}
    return names, tuple(sorted(found, key=len, reverse=True))


_last: list = [(), (), None]
"""(secret variable names, their values, the fingerprint they were read at)."""


def redact_text(text: str, secrets: Sequence[str] | None = None) -> str:
    """`text` with every secret value (`secret_values()` unless given) replaced by ``***redacted***``,
    also where it appears JSON-escaped (inside a serialized string)."""
    for secret in secret_values() if secrets is None else secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
        escaped = json.dumps(secret)[1:-1]
        if escaped != secret and escaped in text:
            text = text.replace(escaped, REDACTED)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites each log record's message with secrets removed (attached to handlers, so it sees
    records from every logger, Hydra's and libraries' included)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact_text(message)
        if clean != message:
            record.msg, record.args = clean, ()
        if record.exc_info and record.exc_info[1] is not None:
            formatted = logging.Formatter().formatException(record.exc_info)
            record.exc_text = redact_text(formatted)
        return True


def install_log_filter() -> None:
    """Attach a `RedactingFilter` to every handler of the root logger (once each)."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
