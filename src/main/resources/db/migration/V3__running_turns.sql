-- Claude Bridge schema, version 3 (docs/persistence.md): the turn a session's agent is running, for an agent that
-- outlives the bot (the kubernetes runtime's session pods). A restarted bot re-attaches to the agent, replays its
-- output from agent_position (opaque: the agent runtime's own words) and carries the reply on in its messages.
-- Portable SQL: runs unchanged on H2 2.4 and PostgreSQL >= 15.
CREATE TABLE running_turns (
    platform          VARCHAR(32)              NOT NULL,
    thread_id         VARCHAR(100)             NOT NULL,
    agent_position    TEXT                     NOT NULL,
    prompt_text       TEXT                     NOT NULL,
    author_id         VARCHAR(100)             NOT NULL,
    prompt_message_id VARCHAR(100),
    reply_message_ids TEXT                     NOT NULL,
    started_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT running_turns_pk PRIMARY KEY (platform, thread_id)
);
