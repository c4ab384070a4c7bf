"""Workstation and laptop seats booked for a time slot at a point (apart from one-to-one help)."""
