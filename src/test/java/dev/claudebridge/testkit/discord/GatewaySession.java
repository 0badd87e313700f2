package dev.claudebridge.testkit.discord;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A gateway session: what IDENTIFY creates and RESUME continues. It numbers its dispatches and keeps the recent
 * ones, so a client that lost its connection gets what it missed when it resumes. Guarded by the state's lock.
 */
final class GatewaySession {
    private static final int REPLAY_LIMIT = 5_000;

    private record Sent(int seq, String json) {
    }

    final String id;
    final long intents;
    private final Deque<Sent> replay = new ArrayDeque<>();
    private int seq;
    GatewayConnection connection;

    GatewaySession(String id, long intents) {
        this.id = id;
        this.intents = intents;
    }

    /** Numbers a dispatch, keeps it for replay, and sends it if a connection is attached. */
    void send(String type, com.fasterxml.jackson.databind.JsonNode data) {
        seq++;
        String json = Json.write(Payloads.gatewayPayload(0, data, seq, type));
        replay.addLast(new Sent(seq, json));
        if (replay.size() > REPLAY_LIMIT) {
            replay.removeFirst();
        }
        if (connection != null) {
            connection.send(json);
        }
    }

    /** True if every dispatch after {@code lastSeq} is still kept. */
    boolean canReplayAfter(int lastSeq) {
        return lastSeq <= seq && (replay.isEmpty() || replay.peekFirst().seq() <= lastSeq + 1);
    }

    void replayAfter(int lastSeq, GatewayConnection to) {
        for (Sent sent : replay) {
            if (sent.seq() > lastSeq) {
                to.send(sent.json());
            }
        }
    }

    boolean wants(long intent) {
        return intent == 0 || (intents & intent) != 0;
    }
}
