"""Walk-in queue: tickets, "call next" that interleaves walk-ins with checked-in appointments,
and visits with their outcome."""
