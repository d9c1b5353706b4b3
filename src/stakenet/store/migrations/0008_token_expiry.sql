-- A token may expire: `expires_at` is the UTC instant from which it is refused, in the
-- fixed-width text of every other instant. Tokens created before have none, and never expire.
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
