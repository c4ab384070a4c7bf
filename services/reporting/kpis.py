"""Digital-inclusion KPIs from the read models. Each figure is a named query returning rows
of (dimensions…, value); `people`-counting figures are marked for small-cell suppression."""

from __future__ import annotations

from typing import Any

import asyncpg

from services.reporting.kpi_model import Kpi
from services.reporting.kpi_model import bucket as _bucket
from services.reporting.tariffs import TARIFFS, Tariff, tariff_arrays
from services.reporting.trend_kpis import TREND_KPIS

PERIODS = ("day", "week", "month")
LETTER_CHANNEL = """CASE WHEN ebox_delivered_at IS NOT NULL AND queued_at IS NOT NULL THEN 'both'
                         WHEN ebox_delivered_at IS NOT NULL THEN 'ebox'
                         WHEN queued_at IS NOT NULL THEN 'paper'
                         WHEN failed_channel IS NOT NULL THEN 'failed' WHEN cancelled_at IS NOT NULL THEN 'cancelled'
                         ELSE 'pending' END"""
APPOINTMENT_OUTCOME = """CASE WHEN attended_at IS NOT NULL THEN 'attended' WHEN no_show_at IS NOT NULL THEN 'no_show'
                              WHEN cancelled_at IS NOT NULL THEN 'cancelled' ELSE 'booked' END"""


KPIS: tuple[Kpi, ...] = (
    Kpi("visits_by_outcome", ("period", "point_kind", "outcome", "visits"),
        f"""SELECT {_bucket('ended_at')}, point_kind, outcome, count(*) FROM {{s}}.visits
            WHERE ended_at IS NOT NULL AND ($1::text IS NULL OR municipality = $1) GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"""),
    # Pages printed in visits at help points, and those beyond each point's free quota per visit
    # (counted at the visit's end); the visits that printed count people, so small cells are suppressed.
    Kpi("prints_by_point_kind", ("period", "point_kind", "pages_printed", "pages_over_quota", "visits"),
        f"""SELECT {_bucket('ended_at')}, point_kind, sum(pages_printed)::int, sum(coalesce(pages_over_quota, 0))::int,
                   count(*) FROM {{s}}.visits
            WHERE ended_at IS NOT NULL AND pages_printed > 0 AND ($1::text IS NULL OR municipality = $1)
            GROUP BY 1, 2 ORDER BY 1, 2""", plotted="pages_printed"),
    Kpi("walk_in_wait", ("period", "point_kind", "minutes"),
        f"""SELECT {_bucket('started_at')}, point_kind, round(avg(waited_seconds) / 60.0, 1) FROM {{s}}.visits
            WHERE walk_in AND ($1::text IS NULL OR municipality = $1) GROUP BY 1, 2 ORDER BY 1, 2""", False),
    Kpi("appointments_by_outcome", ("period", "outcome", "appointments"),
        f"""SELECT {_bucket('starts_at')}, {APPOINTMENT_OUTCOME}, count(*) FROM {{s}}.appointments
            WHERE starts_at IS NOT NULL AND ($1::text IS NULL OR municipality = $1) GROUP BY 1, 2 ORDER BY 1, 2"""),
    Kpi("no_show_by_reminder", ("period", "reminder_delivered", "no_show_rate", "appointments"),
        f"""SELECT {_bucket('a.starts_at')}, EXISTS (SELECT 1 FROM {{s}}.notifications n
                   WHERE n.trigger_aggregate_id = a.appointment_id::text AND n.kind = 'appointment_reminder'
                     AND n.delivered_at IS NOT NULL) AS reminded,
                   round(avg((a.no_show_at IS NOT NULL)::int), 3), count(*)
            FROM {{s}}.appointments a WHERE (a.attended_at IS NOT NULL OR a.no_show_at IS NOT NULL)
              AND ($1::text IS NULL OR a.municipality = $1) GROUP BY 1, 2 ORDER BY 1, 2""", plotted="no_show_rate"),
    Kpi("letters_by_channel", ("period", "department", "document_type", "channel", "letters"),
        f"""SELECT {_bucket('coalesce(issued_at, ebox_delivered_at, queued_at)')}, department, document_type,
                   {LETTER_CHANNEL}, count(*) FROM {{s}}.letters WHERE ($1::text IS NULL OR municipality = $1)
            GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4"""),
    Kpi("ebox_share", ("period", "ebox_share", "letters"),
        f"""SELECT {_bucket('coalesce(issued_at, ebox_delivered_at, queued_at)')},
                   round(avg((ebox_delivered_at IS NOT NULL)::int), 3), count(*) FROM {{s}}.letters
            WHERE ($1::text IS NULL OR municipality = $1) GROUP BY 1 ORDER BY 1""", plotted="ebox_share"),
    Kpi("fallback_reasons", ("period", "reason", "letters"),
        f"""SELECT {_bucket('queued_at')}, print_reason, count(*) FROM {{s}}.letters
            WHERE queued_at IS NOT NULL AND ($1::text IS NULL OR municipality = $1) GROUP BY 1, 2 ORDER BY 1, 2"""),
    Kpi("issue_to_ebox_hours", ("period", "hours"),
        f"""SELECT {_bucket('issued_at')}, round(avg(extract(epoch FROM ebox_delivered_at - issued_at)) / 3600, 2)
            FROM {{s}}.letters WHERE issued_at IS NOT NULL AND ebox_delivered_at IS NOT NULL
              AND ($1::text IS NULL OR municipality = $1) GROUP BY 1 ORDER BY 1""", False),
    Kpi("unread_rate", ("period", "unread_rate", "letters"),
        f"""SELECT {_bucket('ebox_delivered_at')}, round(avg((read_at IS NULL)::int), 3), count(*) FROM {{s}}.letters
            WHERE ebox_delivered_at IS NOT NULL AND ($1::text IS NULL OR municipality = $1) GROUP BY 1 ORDER BY 1""",
        plotted="unread_rate"),
    Kpi("cost_avoided", ("period", "letters_digital_only", "eur"),
        f"""SELECT {_bucket('ebox_delivered_at')}, count(*), round(count(*) * $3::numeric, 2) FROM {{s}}.letters
            WHERE ebox_delivered_at IS NOT NULL AND queued_at IS NULL AND ($1::text IS NULL OR municipality = $1)
            GROUP BY 1 ORDER BY 1""", False),
    Kpi("adoption_funnel", ("period", "digital_share", "later_letters", "citizens_helped"),
        f"""SELECT {_bucket('a.activated_at')}, round(avg((l.ebox_delivered_at IS NOT NULL)::int), 3),
                   count(l.letter_id), count(DISTINCT a.citizen)
            FROM {{s}}.activations a LEFT JOIN {{s}}.letters l ON l.citizen = a.citizen AND l.issued_at > a.activated_at
            WHERE a.citizen IS NOT NULL AND ($1::text IS NULL OR a.municipality = $1) GROUP BY 1 ORDER BY 1""",
        plotted="digital_share"),
    # The eBox campaign's insert page against its holdout, per period: of the recipients who got a
    # later letter, the share who received one in the eBox, in each arm; the difference in
    # percentage points and its 95 % confidence interval (normal approximation).
    Kpi("insert_campaign", ("period", "with_insert_share", "holdout_share", "effect_pp", "ci_low_pp", "ci_high_pp",
                            "holdout_followed_up", "insert_followed_up"),
        f"""WITH decided AS (
                SELECT {_bucket('i.decided_at')} AS period, i.arm, l.citizen, i.decided_at
                FROM {{s}}.paper_inserts i JOIN {{s}}.letters l ON l.letter_id = i.letter_id
                WHERE l.citizen IS NOT NULL AND ($1::text IS NULL OR i.municipality = $1)),
            followed AS (
                SELECT d.period, d.arm, d.citizen, bool_or(later.letter_id IS NOT NULL) AS followed_up,
                       bool_or(later.ebox_delivered_at IS NOT NULL) AS digital
                FROM decided d LEFT JOIN {{s}}.letters later ON later.citizen = d.citizen AND later.issued_at > d.decided_at
                GROUP BY 1, 2, 3),
            arms AS (
                SELECT period, arm, count(*) FILTER (WHERE followed_up) AS n, count(*) FILTER (WHERE digital) AS k
                FROM followed GROUP BY 1, 2)
            SELECT i.period, round(q.p1::numeric, 3), round(q.p0::numeric, 3), round((100 * (q.p1 - q.p0))::numeric, 1),
                   round((100 * (q.p1 - q.p0 - 1.96 * q.se))::numeric, 1),
                   round((100 * (q.p1 - q.p0 + 1.96 * q.se))::numeric, 1), h.n, i.n
            FROM arms i JOIN arms h ON h.period = i.period AND h.arm = 'holdout'
            CROSS JOIN LATERAL (
                SELECT p.p1, p.p0, sqrt(p.p1 * (1 - p.p1) / i.n + p.p0 * (1 - p.p0) / h.n) AS se
                FROM (SELECT CASE WHEN i.n > 0 THEN i.k::float8 / i.n END AS p1,
                             CASE WHEN h.n > 0 THEN h.k::float8 / h.n END AS p0) p) q
            WHERE i.arm = 'insert' ORDER BY 1""", plotted="effect_pp"),
    # The campaign's funnel per period: insert pages sent, visits of their QR code's link,
    # bookings made through it, the people who came, and the eBoxes activated in those visits.
    Kpi("campaign_funnel", ("period", "campaign", "inserts_sent", "link_visits", "bookings", "attended",
                            "activations"),
        f"""WITH steps AS (
                SELECT {_bucket('decided_at')} AS period, campaign, 1 AS inserts, 0 AS visits, 0 AS bookings,
                       0 AS attended, 0 AS activated
                FROM {{s}}.paper_inserts WHERE arm = 'insert' AND ($1::text IS NULL OR municipality = $1)
                UNION ALL
                SELECT {_bucket('visited_at')}, campaign, 0, 1, 0, 0, 0
                FROM {{s}}.campaign_visits WHERE ($1::text IS NULL OR municipality = $1)
                UNION ALL
                SELECT {_bucket('booked_at')}, campaign, 0, 0, 1, (attended_at IS NOT NULL)::int, 0
                FROM {{s}}.appointments
                WHERE campaign IS NOT NULL AND booked_at IS NOT NULL AND ($1::text IS NULL OR municipality = $1)
                UNION ALL
                SELECT {_bucket('ac.activated_at')}, a.campaign, 0, 0, 0, 0, 1
                FROM {{s}}.activations ac JOIN {{s}}.visits v ON v.visit_id = ac.visit_id
                JOIN {{s}}.appointments a ON a.appointment_id = v.appointment_id
                WHERE a.campaign IS NOT NULL AND ac.activated_at IS NOT NULL
                  AND ($1::text IS NULL OR a.municipality = $1))
            SELECT period, campaign, sum(inserts)::int, sum(visits)::int, sum(bookings)::int, sum(attended)::int,
                   sum(activated)::int
            FROM steps GROUP BY 1, 2 ORDER BY 1, 2""",
        stages=("inserts_sent", "link_visits", "bookings", "attended", "activations")),
    # Loans by the period they were lent in, and offers to people on a waitlist by the period they
    # were made in: how much the stock lends, and how much demand it did not meet at once.
    Kpi("device_loans", ("period", "lent", "returned", "overdue", "renewed", "offered_from_waitlist"),
        f"""WITH lent AS (
                SELECT {_bucket('lent_at')} AS period, count(*) AS lent, count(returned_at) AS returned,
                       count(*) FILTER (WHERE overdue_days > 0) AS overdue,
                       count(*) FILTER (WHERE renewals > 0) AS renewed
                FROM {{s}}.loans WHERE lent_at IS NOT NULL AND ($1::text IS NULL OR municipality = $1) GROUP BY 1),
            offered AS (
                SELECT {_bucket('offered_at')} AS period, count(*) AS offers
                FROM {{s}}.device_offers WHERE ($1::text IS NULL OR municipality = $1) GROUP BY 1)
            SELECT period, coalesce(lent, 0)::int, coalesce(returned, 0)::int, coalesce(overdue, 0)::int,
                   coalesce(renewed, 0)::int, coalesce(offers, 0)::int
            FROM lent FULL JOIN offered USING (period) ORDER BY 1""", plotted="lent"),
    # Workshops by the period they are given in: registrations (waiting ones included), those that
    # waited, those that got a place from the waiting list, cancellations and who came.
    Kpi("workshops", ("period", "registrations", "waited", "placed_from_line", "cancelled", "attended"),
        f"""SELECT {_bucket('starts_at')}, count(registered_at), count(*) FILTER (WHERE waiting),
                   count(placed_from_line_at), count(cancelled_at), count(attended_at)
            FROM {{s}}.workshop_registrations WHERE ($1::text IS NULL OR municipality = $1)
            GROUP BY 1 ORDER BY 1""", plotted="attended"),
    Kpi("notifications", ("period", "channel", "status", "messages"),
        f"""SELECT {_bucket('coalesce(sent_at, failed_at, delivered_at)')}, channel,
                   CASE WHEN delivered_at IS NOT NULL THEN 'delivered' WHEN failed_status IS NOT NULL THEN failed_status
                        ELSE 'sending' END, count(*)
            FROM {{s}}.notifications WHERE ($1::text IS NULL OR municipality = $1) GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"""),
    *TREND_KPIS,
)
BY_NAME = {k.name: k for k in KPIS}


async def compute(conn: asyncpg.Connection, schema: str, kpi: Kpi, municipality: str | None, period: str,
                  letter_cost: float, *, tariffs: tuple[Tariff, ...] = TARIFFS,
                  handling_eur: float = 0.35) -> list[list[Any]]:
    """`letter_cost`: one paper letter (stamp and handling) for the single-rate `cost_avoided`;
    the per-year figures take the `tariffs` plus `handling_eur` (print and handling per letter)."""
    args: list[Any] = [municipality, period]
    if kpi.uses_tariffs:
        args += [*tariff_arrays(tariffs), handling_eur]
    elif "$3" in kpi.sql:
        args.append(letter_cost)
    rows = await conn.fetch(kpi.sql.format(s=schema), *args)
    return [[_plain(v) for v in r] for r in rows]


def _plain(value: Any) -> Any:
    from decimal import Decimal
    return float(value) if isinstance(value, Decimal) else value


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _dimensions(row: list[Any]) -> int:
    """Leading columns that say what a row is about (text, yes/no); the figures follow."""
    n = 0
    while n < len(row) and (isinstance(row[n], str | bool) or row[n] is None):
        n += 1
    return n


CONCEALED = "x"  # a cell hidden only so that a small one cannot be recomputed (shown as is)


def suppress(kpi: Kpi, rows: list[list[Any]], threshold: int) -> list[list[Any]]:
    """Public outputs: every count below the threshold becomes None (shown as "<5"), and so do
    the rates of that row (a rate over three people identifies them as well as the count would).

    Then complementary suppression: rows that break one total down (same period and same
    dimensions but the last) add up to a figure published elsewhere (letters per period, say),
    so a single hidden row among them could be recomputed by subtraction. When exactly one is
    hidden, the figures of the smallest visible row of the group become CONCEALED too."""
    if not kpi.counts_people:
        return rows
    small = [any(_is_count(v) and 0 < v < threshold for v in row) for row in rows]
    concealed = [False] * len(rows)
    groups: dict[tuple[Any, ...], list[int]] = {}
    for i, row in enumerate(rows):
        dims = _dimensions(row)
        if dims >= 2:  # a breakdown; with the period alone there is nothing to subtract from
            groups.setdefault(tuple(row[:dims - 1]), []).append(i)
    for members in groups.values():
        visible = [i for i in members if not small[i]]
        if len(visible) == len(members) - 1 and visible:
            concealed[min(visible, key=lambda i: _size(rows[i]))] = True
    out = []
    for row, is_small, is_concealed in zip(rows, small, concealed, strict=True):
        if is_small:
            row = [None if (_is_count(v) and v < threshold) or isinstance(v, float) else v for v in row]
        elif is_concealed:
            row = [CONCEALED if _is_count(v) or isinstance(v, float) else v for v in row]
        out.append(row)
    return out


def _size(row: list[Any]) -> int:
    return max((v for v in row if _is_count(v)), default=0)
