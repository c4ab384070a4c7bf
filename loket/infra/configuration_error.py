"""Settings an operator must fix before a process can start, said in one line.

A service that cannot start because of its configuration (a missing secret file, a token file
that does not parse, a setting out of range) exits with status 2 and one line naming the setting
and the problem, instead of a screenful of traceback; `loket up` shows that line when it
restarts the service. Values are never repeated in the message: a malformed setting may be a
secret (a database URL with its password).
"""

from __future__ import annotations

from pydantic import ValidationError
from pydantic_settings import BaseSettings

EXIT_STATUS = 2  # what argparse and click use for "you called me wrongly"


class ConfigurationError(Exception):
    """Raised (as a second base of a module's own error) when a setting makes starting pointless."""


def explain_settings_error(exc: ValidationError) -> str:
    """One line per problem, each named by the environment variable that sets it when the error
    is a settings class's (found by the error's title); by its field path otherwise."""
    prefix = next((str(m.model_config.get("env_prefix", "")) for m in _settings_classes()
                   if m.__name__ == exc.title), None)
    problems = []
    for error in exc.errors(include_input=False, include_url=False):
        path = [str(part) for part in error["loc"]]
        name = prefix + "_".join(path).upper() if prefix is not None else ".".join(path) or exc.title
        problems.append(f"{name}: {error['msg']}")
    return "; ".join(problems)


def _settings_classes() -> list[type[BaseSettings]]:
    """Every settings class loaded so far (the services' own subclass the shared ones)."""
    found: list[type[BaseSettings]] = []
    pending: list[type[BaseSettings]] = [BaseSettings]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            found.append(sub)
            pending.append(sub)
    return found
