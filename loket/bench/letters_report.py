"""Figures of `loket bench letters`, against the targets of the issue (2-core machine)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from loket.bench.letters_http import SingleResult
from loket.bench.letters_loket import LoketResult
from loket.bench.letters_raw import RawResult
from loket.bench.letters_warm_up import LettersWarmUp

TARGET_RATE = 1000.0
TARGET_RATIO = 0.8
TARGET_HTTP_ACCEPTED = 1000.0  # letters/s answered 202 in batches
TARGET_SINGLE_P99_S = 0.100  # single POST at 200 requests/s


@dataclass
class LettersReport:
    loket: LoketResult
    raw: RawResult | None
    machine: dict[str, object]
    raw_sim_cpu_s: float | None = None
    # The simulator's /admin/received per run ("loket", "raw"): messages, digital, no_digital_user.
    sim_received: dict[str, dict[str, int]] = field(default_factory=dict)
    # --via http: the same letters' HTTP path (batches), and single letters at a fixed rate over
    # HTTP and, as their baseline, published one by one on the bus.
    http: LoketResult | None = None
    single_http: SingleResult | None = None  # answered by an HTTP-only replica: the judged figure
    single_in_worker: SingleResult | None = None  # answered by the bridge that also consumes and sends
    single_bus: SingleResult | None = None
    broker: str = "nats"  # the bus both runs used: "nats" (JetStream) or "kafka"
    # Kafka: the raw letters rounds run before anything was measured (letters_warm_up.py).
    warm_up: LettersWarmUp | None = None

    def sim_consistent(self, run: str) -> bool | None:
        """Each letter delivered in the run is one digital message in the simulator, and each
        message there is a delivered letter or a NO_DIGITAL_USER answer (which goes to paper)."""
        got = self.sim_received.get(run)
        runs = {"loket": self.loket, "http": self.http}
        outcomes = runs[run].outcomes if runs.get(run) else (self.raw.outcomes if self.raw else None)
        if got is None or outcomes is None:
            return None
        delivered = outcomes.get("delivered", 0)
        return got["digital"] == delivered and got["no_digital_user"] <= outcomes.get("paper", 0)

    @property
    def missing(self) -> int:
        return self.loket.missing + (self.http.missing if self.http else 0)

    @property
    def ratio(self) -> float | None:
        return self.loket.per_second / self.raw.per_second if self.raw and self.raw.per_second else None

    def rows(self) -> list[tuple[str, str, str]]:
        lk = self.loket
        rate_ok = lk.per_second >= TARGET_RATE
        rows = self._warm_up_rows() + [
            ("Loket: letters settled", f"{lk.letters:,}", "all" if not lk.missing else f"{lk.missing:,} MISSING"),
            ("Loket: letters/s (issue → settled, end to end)", f"{lk.per_second:,.0f}",
             f"target ≥ {TARGET_RATE:,.0f}: " + ("met" if rate_ok else "NOT met")),
            ("Loket: p50 issue → settled", f"{lk.percentile(0.5) * 1000:,.0f} ms", "backlog included"),
            ("Loket: p99 issue → settled", f"{lk.percentile(0.99) * 1000:,.0f} ms", ""),
            ("Loket: outcomes", ", ".join(f"{k} {v:,}" for k, v in sorted(lk.outcomes.items())), ""),
            ("Loket: CPU s (bridge / simulator)", f"{lk.bridge_cpu_s:.1f} / {lk.sim_cpu_s:.1f}", ""),
            *self._received_row("loket", "Loket"),
        ]
        if self.raw is not None:
            ratio = self.ratio or 0.0
            rows += [
                ("raw baseline: events/s (per event: consume, dedupe, POST, outcome, publish)", f"{self.raw.per_second:,.0f}",
                 ", ".join(f"{k} {v:,}" for k, v in sorted(self.raw.outcomes.items()))),
                ("raw baseline: p50 / p99 issue → outcome",
                 f"{self.raw.percentile(0.5) * 1000:,.0f} / {self.raw.percentile(0.99) * 1000:,.0f} ms",
                 "all" if not self.raw.missing else f"{self.raw.missing:,} MISSING"),
                ("raw baseline: CPU s (pipeline / simulator)", f"{self.raw.cpu_s:.1f} / {self.raw_sim_cpu_s or 0:.1f}", ""),
                *self._received_row("raw", "raw baseline"),
                ("ratio Loket / raw", f"{ratio:.2f}", f"target ≥ {TARGET_RATIO}: " + ("met" if ratio >= TARGET_RATIO else "NOT met")),
            ]
        return rows

    def http_rows(self) -> list[tuple[str, str, str]]:
        rows: list[tuple[str, str, str]] = []
        if self.http is not None:
            bus, http = self.loket, self.http
            accepted_ok = http.handed_over_per_s >= TARGET_HTTP_ACCEPTED
            rows += [
                (f"bus path: letters handed over/s ({'Kafka' if self.broker == 'kafka' else 'JetStream'} acks)", f"{bus.handed_over_per_s:,.0f}", "baseline"),
                ("HTTP batches: letters accepted/s (202)", f"{http.handed_over_per_s:,.0f}",
                 f"target ≥ {TARGET_HTTP_ACCEPTED:,.0f}: " + ("met" if accepted_ok else "NOT met")
                 + f"; ratio to the bus path {_ratio(http.handed_over_per_s, bus.handed_over_per_s)}"),
                ("HTTP batches: letters settled", f"{http.letters:,}",
                 ("all" if not http.missing else f"{http.missing:,} MISSING")
                 + (f", {http.extra['refused']:,.0f} refused" if http.extra.get("refused") else "")),
                ("HTTP batches: letters/s (POST → settled)", f"{http.per_second:,.0f}",
                 f"bus path {bus.per_second:,.0f}: ratio {_ratio(http.per_second, bus.per_second)}"),
                ("HTTP batches: p50 / p99 POST → settled",
                 f"{http.percentile(0.5) * 1000:,.0f} / {http.percentile(0.99) * 1000:,.0f} ms", "backlog included"),
                ("HTTP batches: outcomes", ", ".join(f"{k} {v:,}" for k, v in sorted(http.outcomes.items())), ""),
                *self._received_row("http", "HTTP batches"),
            ]
        if self.single_http is not None and self.single_bus is not None:
            one, bus_one = self.single_http, self.single_bus
            p99_ok = one.percentile(0.99) < TARGET_SINGLE_P99_S and not one.refused
            rows += [
                (f"single POST at {one.rate:,.0f}/s, HTTP-only replica: p50 / p95 / p99",
                 " / ".join(f"{one.percentile(q) * 1000:,.1f}" for q in (0.5, 0.95, 0.99)) + " ms",
                 f"target p99 < {TARGET_SINGLE_P99_S * 1000:.0f} ms: " + ("met" if p99_ok else "NOT met")
                 + (f"; refused {one.refused}" if one.refused else "")),
                *([(f"single POST at {self.single_in_worker.rate:,.0f}/s, API in the working bridge: p50 / p95 / p99",
                    " / ".join(f"{self.single_in_worker.percentile(q) * 1000:,.1f}" for q in (0.5, 0.95, 0.99))
                    + " ms", "for comparison: requests wait behind the bridge's batches")]
                  if self.single_in_worker is not None else []),
                (f"single publish at {bus_one.rate:,.0f}/s on the bus: p50 / p95 / p99",
                 " / ".join(f"{bus_one.percentile(q) * 1000:,.1f}" for q in (0.5, 0.95, 0.99)) + " ms",
                 f"baseline; p99 ratio HTTP / bus {_ratio(one.percentile(0.99), bus_one.percentile(0.99))}"),
            ]
        return rows

    def _warm_up_rows(self) -> list[tuple[str, str, str]]:
        if self.warm_up is None:
            return []
        rounds = self.warm_up.rounds
        cpu = ", ".join(f"{r.brokers_s:.1f}" for r in rounds if r.brokers_s is not None)
        return [("Kafka warm-up before measuring: raw letters rounds on throw-away topics", f"{len(rounds)} × {rounds[0].events:,}",
                 f"stopped: {self.warm_up.stopped}" + (f" (brokers' CPU s a round: {cpu})" if cpu else ""))]

    def _received_row(self, run: str, label: str) -> list[tuple[str, str, str]]:
        got = self.sim_received.get(run)
        if got is None:
            return []
        check = "matches the delivered letters" if self.sim_consistent(run) else "does NOT match the delivered letters"
        return [(f"{label}: publishes accepted by the simulator", f"{got['messages']:,}",
                 f"digital {got['digital']:,}, NO_DIGITAL_USER {got['no_digital_user']:,}: {check}")]

    def as_dict(self) -> dict[str, object]:
        lk = self.loket
        return {
            "broker": self.broker,
            "machine": self.machine,
            "loket": {"letters": lk.letters, "missing": lk.missing, "seconds": lk.seconds, "letters_per_s": lk.per_second,
                      "p50_ms": lk.percentile(0.5) * 1000, "p99_ms": lk.percentile(0.99) * 1000,
                      "outcomes": lk.outcomes, "bridge_cpu_s": lk.bridge_cpu_s, "sim_cpu_s": lk.sim_cpu_s},
            "raw": None if self.raw is None else {
                "events": self.raw.events, "missing": self.raw.missing, "seconds": self.raw.seconds,
                "events_per_s": self.raw.per_second, "p50_ms": self.raw.percentile(0.5) * 1000,
                "p99_ms": self.raw.percentile(0.99) * 1000, "outcomes": self.raw.outcomes,
                "pipeline_cpu_s": self.raw.cpu_s, "sim_cpu_s": self.raw_sim_cpu_s},
            "warm_up": None if self.warm_up is None else {
                "stopped": self.warm_up.stopped,
                "rounds": [{"letters": r.events, "brokers_s": r.brokers_s, "jit_s": r.jit_s, "jit_share": r.jit_share}
                           for r in self.warm_up.rounds]},
            "simulator_received": self.sim_received,
            "simulator_consistent": {run: self.sim_consistent(run) for run in self.sim_received},
            "ratio": self.ratio,
            "targets": {"letters_per_s": TARGET_RATE, "ratio": TARGET_RATIO, "http_accepted_per_s": TARGET_HTTP_ACCEPTED,
                        "single_post_p99_ms": TARGET_SINGLE_P99_S * 1000},
            **self._http_dict(),
        }

    def _http_dict(self) -> dict[str, object]:
        if self.http is None:
            return {"via": "bus"}
        http, bus = self.http, self.loket
        single = {name: None if one is None else {
            "rate": one.rate, "answered": one.accepted, "refused": {str(k): v for k, v in one.refused.items()},
            "p50_ms": one.percentile(0.5) * 1000, "p95_ms": one.percentile(0.95) * 1000,
            "p99_ms": one.percentile(0.99) * 1000} for name, one in (
                ("http", self.single_http), ("http_in_worker", self.single_in_worker), ("bus", self.single_bus))}
        return {"via": "http", "bus_handed_over_per_s": bus.handed_over_per_s, "http": {
            "accepted_per_s": http.handed_over_per_s, "refused": http.extra.get("refused", 0),
            "letters": http.letters, "missing": http.missing, "letters_per_s": http.per_second,
            "p50_ms": http.percentile(0.5) * 1000, "p99_ms": http.percentile(0.99) * 1000, "outcomes": http.outcomes,
            "bridge_cpu_s": http.bridge_cpu_s,
            "ratio_accepted_to_bus": http.handed_over_per_s / bus.handed_over_per_s if bus.handed_over_per_s else None,
            "ratio_settled_to_bus": http.per_second / bus.per_second if bus.per_second else None},
            "single": single}

    def write(self, out: Path) -> Path:
        out.mkdir(parents=True, exist_ok=True)
        # Each bus keeps its own figures: a Kafka run does not overwrite the NATS one.
        path = out / ("letters-kafka.json" if self.broker == "kafka" else "letters.json")
        path.write_text(json.dumps(self.as_dict(), indent=2))
        return path


def _ratio(value: float, baseline: float) -> str:
    return f"{value / baseline:.2f}" if baseline else "n/a"
