"""Service harnesses keep an audit copy of what the relay published, so that tests can read the
events a request appended from the service's outbox. Production deletes a row once the bus has
it (`outbox_keep_published_s` = 0); the relay's tests and the whole-system tests run that way."""

WITNESS_KEEP_S = 3600.0
