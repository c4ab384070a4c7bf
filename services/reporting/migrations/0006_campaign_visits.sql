-- Visits of the short link on a paper letter's eBox insert (CampaignLinkVisited): the funnel's
-- step between the insert and the booking. Nothing ties a visit to a person.
CREATE TABLE campaign_visits (
    visit_id      uuid PRIMARY KEY,
    municipality  text NOT NULL,
    campaign      text NOT NULL,
    point_id      text,
    visited_at    timestamptz NOT NULL
);
