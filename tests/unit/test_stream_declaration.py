"""A service starting against streams that already have its settings sends no update: on a
cluster that request waits for the stream's leader election and was left unanswered."""

from __future__ import annotations

import dataclasses

from loket.infra.bus.nats_wiring import StreamLimits, _differs, stream_config


def test_a_stream_the_server_filled_in_needs_no_update() -> None:
    wanted = stream_config("LETTERS", ["letters.>"], StreamLimits(replicas=3))
    # The server answers with every field, also those Loket leaves to it.
    existing = dataclasses.replace(wanted, max_consumers=-1, max_msgs=-1, allow_direct=True)
    assert not _differs(wanted, existing)


def test_a_changed_limit_or_subject_is_an_update() -> None:
    existing = stream_config("LETTERS", ["letters.>"], StreamLimits(replicas=3))
    assert _differs(stream_config("LETTERS", ["letters.>"], StreamLimits(replicas=3, max_bytes=5)), existing)
    assert _differs(stream_config("LETTERS", ["letters.>", "more.>"], StreamLimits(replicas=3)), existing)
