-- Open311 GeoReport v2: what a request brings beyond an ordinary report.
-- media_url: the client's link to a photo or page (shown back, never fetched);
-- token: for clients of the batch style, the token a POST answers with.
ALTER TABLE cases ADD COLUMN media_url TEXT;
ALTER TABLE cases ADD COLUMN token TEXT;
CREATE UNIQUE INDEX cases_token ON cases (token);
