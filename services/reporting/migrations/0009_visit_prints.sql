-- Pages printed during a visit and, of those, the pages beyond the point's free quota
-- (VisitEnded.pages_printed / pages_over_quota; NULL for visits without prints or from before).
ALTER TABLE visits ADD COLUMN pages_printed int, ADD COLUMN pages_over_quota int;
