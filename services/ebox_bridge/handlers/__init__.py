"""Subscribers of the bridge: thin, parse → domain → repository + outbox."""
