"""Dates and times as citizens see them: Europe/Brussels, Belgian public holidays."""
