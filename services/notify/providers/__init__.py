"""Channels to citizens: an HTTP SMS provider and SMTP e-mail, with outcomes classified the
way GOV.UK Notify does (accepted, permanent, retryable)."""
