ALTER TABLE points ADD COLUMN visits int NOT NULL DEFAULT 0;
UPDATE points SET visits = visits + 1;
