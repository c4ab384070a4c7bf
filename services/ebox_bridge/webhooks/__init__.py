"""Webhooks: a municipality's back-office is called back with every letter status event it
subscribed to, signed per the Standard Webhooks convention, retried for up to a day."""
