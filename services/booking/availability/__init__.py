"""Free slots: opening hours ∩ helper shifts − bookings − buffers (pure, no I/O)."""
