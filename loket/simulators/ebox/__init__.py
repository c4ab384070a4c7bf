"""eBox simulator: a stand-in for the federal eBox message registry, spoken to over real HTTP.

State lives in memory only: a restart forgets every token, published message, activation and
runtime fault setting. That is deliberate; it is a test double, not a store.
"""

from loket.simulators.ebox.app import create_app
from loket.simulators.ebox.settings import EboxSimSettings

__all__ = ["EboxSimSettings", "create_app"]
