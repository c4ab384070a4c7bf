-- The eBox sender a letter is published under: its municipality's own enterprise registration,
-- frozen at intake (a later change of the tenant file does not rewrite who sent a letter).
ALTER TABLE letters ADD COLUMN sender_enterprise_number text;
ALTER TABLE letters ADD COLUMN sender_application_id text;
