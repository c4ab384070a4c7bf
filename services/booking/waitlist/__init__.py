"""Waitlist: people who want a slot that is full; a freed slot is offered to the next one."""
