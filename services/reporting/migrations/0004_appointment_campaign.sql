-- The eBox campaign a booking came through (AppointmentBooked.campaign, from the QR code on a
-- paper letter's insert page): the campaign's funnel counts these bookings and who came.
ALTER TABLE appointments ADD COLUMN campaign text;
