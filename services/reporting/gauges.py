"""Key KPIs as Prometheus gauges for operations (labels: municipality, a closed set)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Gauge

from loket.infra.rounds import run_rounds
from loket.infra.runtime import Runtime


class ReportingGauges:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.ebox_share = Gauge("loket_kpi_ebox_share_ratio", "Share of letters delivered to the eBox (30 days)",
                                ["municipality"], registry=registry)
        self.cost_avoided = Gauge("loket_kpi_cost_avoided_eur", "Paper cost avoided by the eBox (30 days)",
                                  ["municipality"], registry=registry)
        self.no_show = Gauge("loket_kpi_no_show_ratio", "No-shows among finished appointments (30 days)",
                             ["municipality"], registry=registry)
        self.visits = Gauge("loket_kpi_assisted_visits", "Assisted visits ended (30 days)", ["municipality"],
                            registry=registry)

    def loop(self, cost_per_letter: float, interval_s: float):  # type: ignore[no-untyped-def]
        async def kpi_gauges(runtime: Runtime) -> None:
            async def round_() -> bool:
                s = runtime.schema
                async with runtime.db().acquire() as conn:
                    for r in await conn.fetch(
                            f"""SELECT municipality, avg((ebox_delivered_at IS NOT NULL)::int) AS share,
                                       count(*) FILTER (WHERE ebox_delivered_at IS NOT NULL AND queued_at IS NULL) AS digital
                                FROM {s}.letters WHERE coalesce(issued_at, ebox_delivered_at, queued_at)
                                      > now() - interval '30 days' AND municipality IS NOT NULL GROUP BY 1"""):
                        self.ebox_share.labels(r["municipality"]).set(float(r["share"]))
                        self.cost_avoided.labels(r["municipality"]).set(r["digital"] * cost_per_letter)
                    for r in await conn.fetch(
                            f"""SELECT municipality, avg((no_show_at IS NOT NULL)::int) AS rate FROM {s}.appointments
                                WHERE (attended_at IS NOT NULL OR no_show_at IS NOT NULL) AND municipality IS NOT NULL
                                  AND starts_at > now() - interval '30 days' GROUP BY 1"""):
                        self.no_show.labels(r["municipality"]).set(float(r["rate"]))
                    for r in await conn.fetch(
                            f"""SELECT municipality, count(*) AS n FROM {s}.visits WHERE ended_at > now() - interval '30 days'
                                  AND municipality IS NOT NULL GROUP BY 1"""):
                        self.visits.labels(r["municipality"]).set(r["n"])
                return False

            await run_rounds(round_, interval_s, "KPI gauges")

        return kpi_gauges
