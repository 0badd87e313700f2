-- Claude Bridge schema, version 3 (docs/persistence.md): a session's permission mode (/mode), so a CLI started again
-- (idle stop, resume, a restart of the bot) starts in it, and in plan mode the mode an approved plan returns to.
-- Both are NULL for a session whose mode was never changed (the CLI's default). The model column is version 1's: it
-- now holds /model's choice too. Portable SQL: runs unchanged on H2 2.4 and PostgreSQL >= 15.
ALTER TABLE sessions ADD COLUMN permission_mode VARCHAR(32);
ALTER TABLE sessions ADD COLUMN plan_return_mode VARCHAR(32);
