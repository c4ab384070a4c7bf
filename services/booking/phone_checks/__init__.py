"""Phone checks: an SMS code a municipality may ask for before a public booking (issue 15)."""
