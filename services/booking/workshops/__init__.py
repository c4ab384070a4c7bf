"""Workshops: group sessions at a point, public registration with a waiting list, attendance."""
