"""Errors of the rollout policy; messages name the problem and never carry personal data."""

from __future__ import annotations

from loket.contracts.reference.language_regime import UnknownMunicipality as _UnknownMunicipality


class PolicyError(ValueError):
    """A policy document is invalid; the message lists every problem with its path."""


class PolicyLookupError(ValueError):
    """No rule for this municipality / department / document type; the message says which."""


# Raised by the shared language-regime table; routing treats it like a missing rule.
UnknownMunicipality = _UnknownMunicipality
