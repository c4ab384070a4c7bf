"""Work around a FastStream 0.7.8 / nats-py 2.16 mismatch in the pull-consumer loop.

nats-py's `PullSubscription.fetch` raises the builtin `asyncio.TimeoutError` when a batch
request expires empty, but FastStream's pull loop only catches `nats.errors.TimeoutError` (a
subclass). The uncaught error kills the loop task; FastStream's supervisor restarts it, but
the restart leaves a lingering pull request behind and consumption stalls for seconds. We make
`fetch` raise the subclass, which both libraries understand. Remove when FastStream catches
the builtin.
"""

from __future__ import annotations

import functools
from typing import Any

import nats.errors
from nats.js.client import JetStreamContext

_MARK = "_loket_timeout_fix"


def install() -> None:
    cls = JetStreamContext.PullSubscription
    original = cls.fetch
    if getattr(original, _MARK, False):
        return

    @functools.wraps(original)
    async def fetch(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return await original(self, *args, **kwargs)
        except nats.errors.TimeoutError:
            raise
        except TimeoutError as exc:
            raise nats.errors.TimeoutError from exc

    setattr(fetch, _MARK, True)
    cls.fetch = fetch  # type: ignore[method-assign]
