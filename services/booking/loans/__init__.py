"""Device loans at Digibanks: inventory, lend, return, overdue reminders."""
