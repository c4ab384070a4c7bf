"""Leaving a `with` block must not stop a server someone else started (e.g. `loket up`)."""

from __future__ import annotations

from loket.infra.embedded import EmbeddedNats


def test_a_context_manager_leaves_an_adopted_server_running(tmp_path) -> None:  # type: ignore[no-untyped-def]
    owner = EmbeddedNats(tmp_path / "nats")
    owner.start()
    try:
        with EmbeddedNats(tmp_path / "nats") as visitor:
            assert visitor.url == owner.url
        assert owner.is_running()
    finally:
        owner.stop()
    assert not owner.is_running()
