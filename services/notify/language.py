"""The language of a message: the citizen's preference when the municipality's legal regime
allows it (English always, as a courtesy), otherwise the language the event was in, otherwise
the regime's own language."""

from __future__ import annotations

from loket.contracts.reference.language_regime import UnknownMunicipality, allowed_languages

COURTESY = "en"


def choose_language(preferred: str, event_language: str | None, municipality: str | None) -> str:
    try:
        allowed = set(allowed_languages(municipality)) if municipality else {"nl", "fr", "de"}
    except UnknownMunicipality:
        allowed = {"nl", "fr", "de"}
    if preferred in allowed or preferred == COURTESY:
        return preferred
    if event_language in allowed:
        return event_language  # type: ignore[return-value]
    return sorted(allowed)[0]
