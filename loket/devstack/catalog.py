"""The four services by name, for the CLI and the supervisor (imports happen on use)."""

from __future__ import annotations

import importlib
from typing import Any

SERVICE_NAMES = ("booking", "notify", "ebox_bridge", "reporting")


def service_module(name: str) -> Any:
    if name not in SERVICE_NAMES:
        raise ValueError(f"unknown service {name!r}; choose one of {', '.join(SERVICE_NAMES)}")
    return importlib.import_module(f"services.{name}.app")


def service_settings(name: str, **overrides: Any) -> Any:
    module = importlib.import_module(f"services.{name}.settings")
    cls = next(v for k, v in vars(module).items() if k.endswith("Settings") and k != "ServiceSettings")
    return cls(**overrides)
