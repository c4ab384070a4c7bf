"""Appointments: book, reschedule, cancel (by staff, back-office or the citizen's link),
check-in, attended and automatic no-show."""
