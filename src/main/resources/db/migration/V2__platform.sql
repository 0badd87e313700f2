-- Claude Bridge schema, version 2 (docs/persistence.md): every row that names a thread names its chat platform too
-- (ChatPlatform.platform(), e.g. 'discord'), since a thread id is only unique within its platform.
-- Portable SQL: every statement runs unchanged on H2 2.4 and PostgreSQL >= 15. Every row written by version 1 was
-- Discord's, so existing rows become 'discord'. The new columns have no default: every write names its platform.

-- sessions: primary key (platform, thread_id). A primary key cannot be dropped portably (its name differs between
-- the databases), so the table is copied into a new one and renamed.
CREATE TABLE sessions_v2 (
    platform         VARCHAR(32)              NOT NULL,
    thread_id        VARCHAR(100)             NOT NULL,
    title            TEXT                     NOT NULL,
    channel_id       VARCHAR(100)             NOT NULL,
    guild_id         VARCHAR(100)             NOT NULL,
    owner_id         VARCHAR(100)             NOT NULL,
    state            VARCHAR(32)              NOT NULL,
    model            VARCHAR(200),
    work_dir         TEXT                     NOT NULL,
    cli_session_id   VARCHAR(100),
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    last_activity    TIMESTAMP WITH TIME ZONE NOT NULL,
    prompts_answered INTEGER                  NOT NULL,
    tokens_in        BIGINT                   NOT NULL,
    tokens_out       BIGINT                   NOT NULL,
    cost_usd         DECIMAL(24, 12)          NOT NULL,
    turn_running     BOOLEAN                  NOT NULL,
    CONSTRAINT sessions_pk PRIMARY KEY (platform, thread_id)
);
INSERT INTO sessions_v2 (platform, thread_id, title, channel_id, guild_id, owner_id, state, model, work_dir,
                         cli_session_id, created_at, updated_at, last_activity, prompts_answered, tokens_in,
                         tokens_out, cost_usd, turn_running)
SELECT 'discord', thread_id, title, channel_id, guild_id, owner_id, state, model, work_dir, cli_session_id,
       created_at, updated_at, last_activity, prompts_answered, tokens_in, tokens_out, cost_usd, turn_running
FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_v2 RENAME TO sessions;

-- turns: the key stays the identity id (so the order saved, and the identity's next value, are kept); the column is
-- added in place, filled by its default, which is then dropped. The indexes lead with the platform.
ALTER TABLE turns ADD COLUMN platform VARCHAR(32) DEFAULT 'discord' NOT NULL;
ALTER TABLE turns ALTER COLUMN platform DROP DEFAULT;
DROP INDEX turns_by_thread;
DROP INDEX turns_by_owner_end;
CREATE INDEX turns_by_thread ON turns (platform, thread_id, id);
CREATE INDEX turns_by_owner_end ON turns (platform, owner_id, ended_at);

-- inbox: primary key (platform, thread_id, seq); copied and renamed like sessions.
CREATE TABLE inbox_v2 (
    platform    VARCHAR(32)              NOT NULL,
    thread_id   VARCHAR(100)             NOT NULL,
    seq         INTEGER                  NOT NULL,
    position    INTEGER                  NOT NULL,
    prompt_text TEXT                     NOT NULL,
    author_id   VARCHAR(100)             NOT NULL,
    message_id  VARCHAR(100),
    received_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT inbox_pk PRIMARY KEY (platform, thread_id, seq)
);
INSERT INTO inbox_v2 (platform, thread_id, seq, position, prompt_text, author_id, message_id, received_at)
SELECT 'discord', thread_id, seq, position, prompt_text, author_id, message_id, received_at
FROM inbox;
DROP TABLE inbox;
ALTER TABLE inbox_v2 RENAME TO inbox;

-- cli_children: the key stays the pid (one process, whatever its platform); the thread is named with its platform.
ALTER TABLE cli_children ADD COLUMN platform VARCHAR(32) DEFAULT 'discord' NOT NULL;
ALTER TABLE cli_children ALTER COLUMN platform DROP DEFAULT;
