"""Helpers (staff and volunteers) and the shifts they work at assistance points."""
