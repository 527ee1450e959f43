"""What a command says in one line instead of a traceback: the operator's mistake (exit 2) or a
fault the operator can act on (exit 1)."""

from __future__ import annotations


class UsageError(ValueError):
    """A command given wrong arguments: said in one line, without a traceback (exit 2)."""


class OperatorError(RuntimeError):
    """A command that cannot do its work as things stand (no warehouse yet, a failed run): one line (exit 1)."""
