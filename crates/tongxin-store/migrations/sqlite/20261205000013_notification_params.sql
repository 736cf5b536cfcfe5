-- The variables of a notification's text (a case's number and category, a booking's
-- service, time and site), as JSON: SMS gateways that send only pre-approved templates
-- (阿里云短信) fill their template with these instead of sending the text.
ALTER TABLE notifications ADD COLUMN params TEXT NOT NULL DEFAULT '{}';
