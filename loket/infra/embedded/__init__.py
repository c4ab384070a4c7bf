"""Real PostgreSQL and NATS JetStream servers started from the pip wheels.

Used by `loket up` (a laptop or a small municipality needs no Docker) and by the test suite,
so tests exercise the same engines as production instead of fakes.
"""

from loket.infra.embedded.nats import EmbeddedNats
from loket.infra.embedded.postgres import EmbeddedPostgres
from loket.infra.embedded.process import EmbeddedServerError
from loket.infra.embedded.runtime import EmbeddedServers, default_data_dir

__all__ = [
    "EmbeddedNats",
    "EmbeddedPostgres",
    "EmbeddedServerError",
    "EmbeddedServers",
    "default_data_dir",
]
