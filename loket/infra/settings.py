"""Settings shared by every service: where the database and the bus are, and how to log.

Each service subclasses `ServiceSettings` with its own fields; all of them read `LOKET_*`
environment variables (and an optional `.env` file), so secrets never live in the repo.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from loket.infra.contact_keys import ContactKeys, contact_keys_from
from loket.infra.db import relay_rounds
from loket.infra.http.client_address import parse_networks


class LoketSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LOKET_", env_file=".env", extra="ignore")

    database_url: str | None = Field(
        default=None, description="postgresql://… ; unset means the embedded PostgreSQL"
    )
    bus_url: str | None = Field(
        default=None, description="kafka://host:9092[,host2:9092] or nats://host:4222; unset means embedded NATS"
    )
    bus_tls_ca_file: Path | None = Field(
        default=None, description="CA certificate(s) that sign the NATS servers' TLS certificates (tls://…)"
    )
    data_dir: Path | None = Field(default=None, description="where the embedded servers keep their data")
    well_known_ports: bool = Field(
        default=True, description="loket up/demo: the services and simulators on their usual ports (8101…, 8110, "
                                  "8111, 8025) when free; false: any free ports (several installations on one machine)")
    nats_nodes: int = Field(
        default=1, description="embedded NATS: one server, or a JetStream cluster of 3 (or 5) nodes whose streams "
                               "keep 3 copies (one node may go down)")
    bus_stream_max_bytes: int = Field(default=1024**3, ge=1024 * 1024,
                                      description="NATS: bytes per stream before publishes are refused")
    bus_stream_max_age_days: float = Field(default=400, gt=0, description="NATS: events older than this are removed")
    bus_stream_replicas: int = Field(default=1, ge=1, le=5,
                                     description="NATS: copies of each stream in a JetStream cluster (3 on three nodes)")
    dlq_body_days: int = Field(
        default=30, ge=1,
        description="dead letters: the refused event's body is removed after this many days, the reason is "
                    "kept (NATS); on Kafka the `.dlq` topics keep whole records this long (retention.ms)",
    )
    trusted_proxies: str = Field(
        default="", description="CIDRs of proxies whose X-Forwarded-For names the client (empty: none)"
    )
    log_level: str = "INFO"
    log_format: str = Field(default="json", description="json or text")

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: str) -> str:
        parse_networks(value)  # refuse a typo at start-up rather than trust nobody silently
        return value

    @field_validator("nats_nodes")
    @classmethod
    def _a_majority_survives(cls, value: int) -> int:
        if value not in (1, 3, 5):
            raise ValueError("LOKET_NATS_NODES must be 1, 3 or 5: a cluster needs a majority to keep going")
        return value

    @field_validator("bus_url")
    @classmethod
    def _known_scheme(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("kafka://", "nats://", "tls://")):
            raise ValueError("LOKET_BUS_URL must start with kafka://, nats:// or tls:// (NATS over TLS)")
        return value


class ConsumerSettings(BaseSettings):
    """How subscribers batch and retry; the same for every service unless overridden."""

    model_config = SettingsConfigDict(env_prefix="LOKET_CONSUMER_", extra="ignore")

    # 500: measured by `loket bench bus`, 200 let the consumer fall behind the relay.
    batch_size: int = Field(default=500, ge=1, le=5000)
    # How long a pull waits to fill a batch: the latency floor under light load.
    batch_timeout_s: float = Field(default=0.05, gt=0, le=5)
    max_attempts: int = Field(default=5, ge=1, le=20)
    retry_base_delay_s: float = Field(default=0.2, gt=0)
    retry_max_delay_s: float = Field(default=5.0, gt=0)
    # Delay before a batch is redelivered when the database is unreachable.
    unavailable_backoff_s: float = Field(default=2.0, gt=0)
    # Kafka only: a fetch waits until the broker has this much for it. 1 (Kafka's own default): a
    # fetch returns as soon as a record is there, and an idle consumer asks every 500 ms. More
    # makes each fetch wait up to `batch_timeout_s` for it: an idle consumer then asks every 50 ms
    # per broker, which cost an idle `loket up` about half a core (brokers 29 % of a core, services
    # 25 %, against 10 % and 7 % with 1), for no gain under load since the relay lingers between
    # rounds (docs/performance.md, "Idle consumers").
    kafka_fetch_min_bytes: int = Field(default=1, ge=1, le=16 * 1024 * 1024)
    # Kafka only: how long handling one batch may take besides its retries' sleeps before Kafka
    # gives the member's partitions to another (kafka_wiring.max_poll_interval_ms adds the sleeps).
    kafka_handling_allowance_s: float = Field(default=300.0, gt=0, le=3600)


class ServiceSettings(LoketSettings):
    """Settings every service process has: its HTTP port and its bus consumer tuning."""

    host: str = "127.0.0.1"
    port: int = 0
    consumer: ConsumerSettings = Field(default_factory=ConsumerSettings)
    # The defaults and the reasons for them: loket/infra/db/relay_rounds.py.
    relay_batch_size: int = Field(default=relay_rounds.BATCH_SIZE, ge=1, le=10000)
    relay_linger_s: float = Field(
        default=relay_rounds.LINGER_S, ge=0, le=5,
        description="while the outbox keeps filling, the least time from one relay round to the next (0: none); "
                    "an idle relay publishes a new event at once",
    )
    relay_batch_bytes: int = Field(
        default=relay_rounds.BATCH_BYTES, ge=64 * 1024, le=256 * 1024 * 1024,
        description="payload bytes a relay round takes at most (it always takes one event): letters with "
                    "their PDF inline are up to 7 MB each, and a round holds its rows in memory",
    )
    outbox_keep_published_s: float = Field(
        default=0.0, ge=0, le=30 * 24 * 3600,
        description="how long the outbox keeps an event after the bus acknowledged it. 0 (the default) deletes "
                    "it then: the bus holds it for its retention, and a copy here is a second place for its "
                    "personal data. Set it (e.g. 86400) for an audit copy in the service's own database",
    )
    db_pool_min: int = 2
    db_pool_max: int = 10
    http_only: bool = Field(
        default=False,
        description="serve HTTP only: no bus consumers, background loops or retention in this process (they "
                    "run in the service's other replicas); its requests then never wait behind a batch of "
                    "bus work on the event loop. Its outbox is still relayed",
    )
    migrate_on_start: bool = Field(
        default=True,
        description="apply migrations at start; false when the service connects with its own role, "
                    "which may not create tables (`loket migrate` runs them as the owner)",
    )
    cookie_secure: bool | None = Field(
        default=None, description="Secure, __Host- session cookies; unset: on, except on http://127.0.0.1 and localhost"
    )
    retention_interval_s: float = Field(default=24 * 3600, gt=0,
                                        description="how often personal data past its retention is purged")
    retention_first_after_s: float = Field(default=60.0, ge=0,
                                           description="how long after a start the first purge runs (a restart "
                                                       "does not postpone it by a whole interval)")
    tenants_refresh_s: float = Field(default=30.0, gt=0,
                                     description="how often a changed tenant entry is looked for, should its change "
                                                 "signal be missed (it normally counts at once in every process)")
    api_key_cache_s: float = Field(default=5.0, gt=0,
                                   description="how long a process trusts a looked-up API key, should a revocation's "
                                               "change signal be missed (it normally counts at once)")


class ContactKeySettings(LoketSettings):
    """For the services that store who a phone number or e-mail address is only as a keyed hash
    (notify, booking): the key's secret, from a file (production) or the environment."""

    contact_key_secret_file: Path | None = Field(
        default=None, description="file (mode 0600) holding the secret that keys stored contact hashes; the same "
                                  "for every replica and for the life of the data")
    contact_key_secret: str | None = Field(default=None, description="the same secret, given directly",
                                           repr=False)

    def contact_keys(self, service: str) -> ContactKeys:
        """The keys, or a refusal to start naming the setting to set (never the value)."""
        return contact_keys_from(self.contact_key_secret, self.contact_key_secret_file, service)
