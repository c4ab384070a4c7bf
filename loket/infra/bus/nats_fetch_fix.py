"""Work around two ways FastStream 0.7.8's pull-consumer loop misbehaves on nats-py 2.16.

1. nats-py's `PullSubscription.fetch` raises the builtin `asyncio.TimeoutError` when a batch
   request expires empty, but FastStream's pull loop only catches `nats.errors.TimeoutError` (a
   subclass). The uncaught error kills the loop task; FastStream's supervisor restarts it, but
   the restart leaves a lingering pull request behind and consumption stalls for seconds. We
   make `fetch` raise the subclass, which both libraries understand.
2. While the connection is down, a fetch still publishes its pull request: it queues in the
   client's outbound buffer until the buffer is full, and from then on every fetch fails at once
   with `OutboundBufferLimitError` (a closed connection fails with `ConnectionClosedError`).
   FastStream either restarts the loop task at once, again and again (a new task and an INFO
   log line each time, the done tasks kept in the subscriber's list: services grew to 1 GB and
   wrote 35 MB of log in three minutes of a NATS outage), or loops without pausing. While the
   client is not connected, a fetch now waits a moment and returns an empty batch (the timeout
   FastStream expects), so the loop idles until nats-py has reconnected, then consumes again.

Remove each when FastStream handles it.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

import nats.errors
from nats.js.client import JetStreamContext

_MARK = "_loket_fetch_fix"
# How long a fetch waits while the client is disconnected before it reports an empty batch,
# whatever its own timeout (nothing can arrive meanwhile): short next to nats-py's reconnect
# wait (2 s), so consumption resumes soon after a reconnect, long enough that an outage costs
# two loop turns a second, not thousands.
DISCONNECTED_PAUSE_S = 0.5


def install() -> None:
    cls = JetStreamContext.PullSubscription
    original = cls.fetch
    if getattr(original, _MARK, False):
        return

    @functools.wraps(original)
    async def fetch(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not self._nc.is_connected:
            await asyncio.sleep(DISCONNECTED_PAUSE_S)
            raise nats.errors.TimeoutError
        try:
            return await original(self, *args, **kwargs)
        except nats.errors.TimeoutError:
            raise
        except TimeoutError as exc:
            raise nats.errors.TimeoutError from exc
        except (nats.errors.OutboundBufferLimitError, nats.errors.ConnectionReconnectingError,
                nats.errors.ConnectionClosedError) as exc:
            # The connection went down while this fetch was on its way.
            await asyncio.sleep(DISCONNECTED_PAUSE_S)
            raise nats.errors.TimeoutError from exc

    setattr(fetch, _MARK, True)
    cls.fetch = fetch  # type: ignore[method-assign]
