package dev.claudebridge.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.claudebridge.core.port.AgentVersion;
import dev.claudebridge.core.port.SessionMetrics;
import dev.claudebridge.core.port.SessionStore;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A prompt's images survive in the stored inbox as paths in the working directory: after a restart they are read
 * again and sent with the prompt; one that is gone, too large or no longer an image is left out and the model told.
 */
final class PromptImagesTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Instant T = Instant.parse("2026-12-01T10:00:00Z");
    static final byte[] PNG = Base64.getDecoder().decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");

    private final FakeAgents agents = new FakeAgents();
    private final FakeChat chat = new FakeChat("discord");
    private final InMemorySessionStore store = new InMemorySessionStore();
    private final InMemorySessionFiles files = new InMemorySessionFiles();
    private SessionRegistry registry;

    @BeforeEach
    void registry() {
        agents.files = files;
        registry = new SessionRegistry(agents, store, new SessionSettings(Path.of("/tmp"), 10, Duration.ofMinutes(5),
                Duration.ofMinutes(30), Duration.ofMinutes(30), 5, 16), Clock.systemUTC(), SessionMetrics.NONE,
                AgentVersion.UNKNOWN);
        registry.attach(chat);
    }

    @Test
    void aQueuedPromptsImagesAreReadAgainAfterARestartAndOnesThatCannotBeShownAreSaid() {
        store.saveSession(new SessionStore.SessionRecord("discord", "t1", "title", "main", "guild", "owner", "IDLE",
                Optional.empty(), "/tmp", Optional.empty(), T, T, T, 0, 0, 0, BigDecimal.ZERO, false)).block(WAIT);
        files.put("t1", "attachments/shot.png", PNG);
        files.put("t1", "attachments/renamed.png", "not an image any more".getBytes());
        store.saveInbox("discord", "t1", List.of(new SessionStore.QueuedPrompt("discord", "t1", 0, "what is this?",
                "owner", Optional.of("m1"), T, List.of("attachments/shot.png", "attachments/gone.png",
                        "attachments/renamed.png")))).block(WAIT);

        assertThat(registry.restore().block(WAIT)).isEqualTo(1);
        await().atMost(WAIT).until(() -> agents.starts.size() == 1);
        FakeAgents.Agent agent = agents.starts.getFirst().succeed();

        await().atMost(WAIT).until(() -> agent.prompts.size() == 1);
        assertThat(agent.images.getFirst()).singleElement().satisfies(image -> {
            assertThat(image.mediaType()).isEqualTo("image/png");
            assertThat(image.data()).isEqualTo(PNG);
        });
        assertThat(agent.prompts.getFirst()).startsWith("what is this?")
                .contains("(The image attachments/gone.png could not be shown to you: there is no such file.)")
                .contains("(The image attachments/renamed.png could not be shown to you: it is no longer an image.)");
    }

    @Test
    void aPromptWithoutImagesIsSentAsText() {
        ThreadSession session = registry.create(chat, "t2", "title", "main", "guild", "owner", Path.of("/tmp"),
                Optional.empty());
        session.offer(new Prompt("plain", "owner", Optional.empty(), T));
        await().atMost(WAIT).until(() -> agents.starts.size() == 1);
        FakeAgents.Agent agent = agents.starts.getFirst().succeed();
        await().atMost(WAIT).until(() -> agent.prompts.size() == 1);
        assertThat(agent.prompts).containsExactly("plain");
        assertThat(agent.images.getFirst()).isEmpty();
    }
}
