-- Which appointment a visit was (VisitStarted.appointment_id) and in which visit an eBox was
-- activated (EboxActivationAssisted.visit_id): the campaign's funnel follows a booking made
-- through a paper letter's QR code to the activation at the counter.
ALTER TABLE visits ADD COLUMN appointment_id uuid;
ALTER TABLE activations ADD COLUMN visit_id uuid;
