package dev.claudebridge.core.session;

import java.util.List;
import java.util.Optional;

/**
 * The custom ids of the components the sessions post: {@code <kind>:<thread id>:<argument>...}, well under
 * Discord's 100 characters. The thread id routes a click to its session without any lookup table.
 */
public final class ComponentIds {

    public static final String INTERRUPT = "int";
    public static final String PERMISSION = "perm";
    public static final String ASK = "ask";
    public static final String DEAD = "dead";
    /** The resume question: Start fresh / Abort when a conversation cannot be resumed. */
    public static final String RESUME_QUESTION = "rq";

    private ComponentIds() {
    }

    public static String of(String kind, String threadId, String... args) {
        StringBuilder id = new StringBuilder(kind).append(':').append(threadId);
        for (String arg : args) {
            id.append(':').append(arg);
        }
        return id.toString();
    }

    /** A parsed custom id: its kind, thread and arguments. */
    public record Parsed(String kind, String threadId, List<String> args) {
        public String arg(int i) {
            return i < args.size() ? args.get(i) : "";
        }
    }

    public static Optional<Parsed> parse(String customId) {
        String[] parts = customId.split(":");
        if (parts.length < 2) {
            return Optional.empty();
        }
        return Optional.of(new Parsed(parts[0], parts[1], List.of(parts).subList(2, parts.length)));
    }
}
