-- Claude Bridge schema, version 3 (docs/persistence.md): a queued prompt keeps the images attached to it.
-- Portable SQL: runs unchanged on H2 2.4 and PostgreSQL >= 15. The images are files saved in the session's working
-- directory before the prompt was queued; the column holds their paths relative to it, as a JSON list of strings,
-- and is NULL for a prompt without images (every row written before this version).
ALTER TABLE inbox ADD COLUMN images TEXT;
