-- Pages printed during a visit, added up while the visit is open (printing/service.py). The
-- visit's end reports the total on VisitEnded, split by the point's free quota per visit
-- (`free_print_pages` in the point's document, 10 when not given).
CREATE TABLE visit_prints (
    visit_id   uuid PRIMARY KEY REFERENCES visits,
    pages      int NOT NULL CHECK (pages >= 0),
    updated_at timestamptz NOT NULL
);
