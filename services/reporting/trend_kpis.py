"""The figures a council follows over time: eBox share per department (trend lines), visits by
topic and by kind of point, and paper cost avoided per department and postage class at the
tariff of the letter's year."""

from __future__ import annotations

from services.reporting.kpi_model import Kpi, bucket

# A letter the eBox delivered would have gone as registered mail if it was issued so, else at
# the municipalities' default non-prior rate (policies choose prior only for paper letters).
WOULD_BE_POSTAGE = "CASE WHEN registered THEN 'registered' ELSE 'non_prior' END"
LETTER_PERIOD = "coalesce(issued_at, ebox_delivered_at, queued_at)"

TREND_KPIS: tuple[Kpi, ...] = (
    Kpi("ebox_share_by_department", ("period", "department", "ebox_share", "letters"),
        f"""SELECT {bucket(LETTER_PERIOD)}, department, round(avg((ebox_delivered_at IS NOT NULL)::int), 3), count(*)
            FROM {{s}}.letters WHERE department IS NOT NULL AND ($1::text IS NULL OR municipality = $1)
            GROUP BY 1, 2 ORDER BY 1, 2""", chart="line", plotted="ebox_share"),
    Kpi("visits_by_topic", ("period", "topic", "visits"),
        f"""SELECT {bucket('ended_at')}, topic, count(*) FROM {{s}}.visits
            WHERE ended_at IS NOT NULL AND topic IS NOT NULL AND ($1::text IS NULL OR municipality = $1)
            GROUP BY 1, 2 ORDER BY 1, 2"""),
    Kpi("visits_by_point_kind", ("period", "point_kind", "visits"),
        f"""SELECT {bucket('ended_at')}, point_kind, count(*) FROM {{s}}.visits
            WHERE ended_at IS NOT NULL AND point_kind IS NOT NULL AND ($1::text IS NULL OR municipality = $1)
            GROUP BY 1, 2 ORDER BY 1, 2"""),
    Kpi("cost_avoided_by_department", ("period", "department", "postage_class", "tariff_year", "letters_digital_only", "eur"),
        f"""WITH tariff AS (SELECT * FROM unnest($3::int[], $4::text[], $5::numeric[]) AS t(year, postage_class, eur)),
                 digital AS (SELECT {bucket('ebox_delivered_at')} AS period, department, {WOULD_BE_POSTAGE} AS postage_class,
                                    extract(year FROM ebox_delivered_at AT TIME ZONE 'Europe/Brussels')::int AS year
                             FROM {{s}}.letters WHERE ebox_delivered_at IS NOT NULL AND queued_at IS NULL
                               AND ($1::text IS NULL OR municipality = $1))
            SELECT d.period, d.department, d.postage_class, t.year::text, count(*),
                   round(count(*) * (t.eur + $6::numeric), 2)
            FROM digital d CROSS JOIN LATERAL (
                -- the latest tariff year not after the letter's year; before the first, the first
                SELECT year, eur FROM tariff WHERE tariff.postage_class = d.postage_class
                ORDER BY (tariff.year <= d.year) DESC, abs(tariff.year - d.year) LIMIT 1) t
            GROUP BY 1, 2, 3, 4, t.eur ORDER BY 1, 2, 3, 4""", counts_people=False, uses_tariffs=True),
)
