"""Stand-ins for the outside world over real HTTP: the federal eBox and an SMS provider."""
