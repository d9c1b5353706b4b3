"""Secrets never reach the logs: passwords, tokens and credentials in URLs are masked.

Unexpected errors are logged with their traceback (the client only sees "Unexpected error."),
and an exception message can carry what caused it: a connection URL with its password, an
Authorization header, a token in a query string. `RedactSecrets` masks those in the message and
in the rendered traceback before any handler writes the record.
"""

from __future__ import annotations

import logging
import re

MASK = "***"
_PATTERNS = (
    # password=…, "token": "…", api_key: …
    re.compile(
        r"(?i)(\b(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key)\b"
        r"[\"']?\s*[:=]\s*[\"']?)([^\s\"',;&}]+)"
    ),
    # Authorization: Bearer …, Basic …
    re.compile(r"(?i)(\b(?:bearer|basic)\s+)([A-Za-z0-9._~+/=-]+)"),
    # scheme://user:password@host
    re.compile(r"(\b[a-z][a-z0-9+.-]*://[^/\s:@]+:)([^@\s/]+)(?=@)"),
)
# Loggers whose records can carry an exception's own words; filters on a logger see only the
# records logged on it, so each one is named.
LOGGERS = ("stakenet.api", "stakenet.app", "stakenet.http", "stakenet.network", "strawberry")


def redact(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(lambda match: match.group(1) + MASK, text)
    return text


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = redact(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
            # Rendered here so the formatter prints this text instead of rendering it afresh.
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True


def install_log_redaction() -> None:
    """Attach the filter to stakenet's error-carrying loggers (once, however often called)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())
