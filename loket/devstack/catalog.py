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
    # The settings class the module defines, not one it imports (ServiceSettings, ContactKeySettings).
    cls = next(v for k, v in vars(module).items()
               if k.endswith("Settings") and isinstance(v, type) and v.__module__ == module.__name__)
    return cls(**overrides)
