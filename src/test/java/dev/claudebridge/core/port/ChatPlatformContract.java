package dev.claudebridge.core.port;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.claudebridge.core.port.ChatPlatform.Attachment;
import dev.claudebridge.core.port.ChatPlatform.Button;
import dev.claudebridge.core.port.ChatPlatform.Button.Style;
import dev.claudebridge.core.port.ChatPlatform.ComponentRow;
import dev.claudebridge.core.port.ChatPlatform.Option;
import dev.claudebridge.core.port.ChatPlatform.OutgoingMessage;
import dev.claudebridge.core.port.ChatPlatformProbe.ServerFile;
import dev.claudebridge.core.port.ChatPlatformProbe.ServerMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * What every {@link ChatPlatform} adapter does, checked on the platform's server side through a
 * {@link ChatPlatformProbe}. Subclasses start the REAL adapter with its real client library against a fake server
 * of the platform (Discord: {@code DiscordChatContractTest} over {@code FakeDiscord}); a fake of the port itself
 * must never extend this class, which {@link #startAdapter()} checks. Each test gets a fresh platform. Expected
 * values are the literals the test wrote, never read back through the adapter's own code.
 */
@Timeout(90)
public abstract class ChatPlatformContract {

    protected static final Duration TIMEOUT = Duration.ofSeconds(20);

    protected ChatPlatform platform;
    protected ChatPlatformProbe probe;
    protected String channel;

    /** Starts the real adapter against a fresh server of its platform. */
    protected abstract ChatPlatform startPlatform() throws Exception;

    /** The server side of the platform {@link #startPlatform()} started. */
    protected abstract ChatPlatformProbe probe();

    /** Stops what {@link #startPlatform()} started. */
    protected abstract void stopPlatform() throws Exception;

    @BeforeEach
    void startAdapter() throws Exception {
        platform = startPlatform();
        probe = probe();
        channel = probe.channelId();
        String location = platform.getClass().getProtectionDomain().getCodeSource().getLocation().toString();
        assertThat(location).as("the contract runs against a main-code adapter, never a test fake of the port")
                .doesNotContain("test-classes");
    }

    @AfterEach
    void stopAdapter() throws Exception {
        stopPlatform();
    }

    // ---- what the core asks of a platform besides messages

    @Test
    void aThreadOpensInTheChannelEmptyOrFromAMessage() {
        String empty = platform.openThread(channel, "a session", java.util.Optional.empty()).block(TIMEOUT);
        assertThat(probe.thread(empty)).hasValueSatisfying(t -> {
            assertThat(t.parentId()).isEqualTo(channel);
            assertThat(t.name()).isEqualTo("a session");
            assertThat(t.startedFrom()).isEmpty();
        });
        String inThread = platform.post(empty, ChatPlatform.OutgoingMessage.text("hello in the thread"))
                .block(TIMEOUT);
        assertThat(probe.message(inThread).channelId()).isEqualTo(empty);

        String prompt = platform.post(channel, ChatPlatform.OutgoingMessage.text("a prompt")).block(TIMEOUT);
        String fromMessage = platform.openThread(channel, "from a prompt", java.util.Optional.of(prompt))
                .block(TIMEOUT);
        assertThat(probe.thread(fromMessage)).hasValueSatisfying(t -> {
            assertThat(t.parentId()).isEqualTo(channel);
            assertThat(t.startedFrom()).contains(prompt);
        });
    }

    @Test
    void itNamesItselfAndSaysHowItWritesTheCoresSentences() {
        assertThat(platform.platform()).matches("[a-z]+");
        Markup m = platform.markup();
        assertThat(m.mention("123")).contains("123");
        assertThat(m.channel("456")).contains("456");
        assertThat(m.relativeTime(java.time.Instant.ofEpochSecond(1_800_000_000))).isNotBlank();
        assertThat(m.small("footer")).contains("footer");
        assertThat(m.bold("word")).contains("word");
        assertThat(m.code("a `tick` here")).contains("tick").startsWith("`").endsWith("`")
                .satisfies(c -> assertThat(c.substring(1, c.length() - 1)).doesNotContain("`"));
        // Both platforms write Markdown: a fence inside the text must not end the block early.
        assertThat(m.codeBlock("sh", "echo ```not the end```\nrm -rf x")).startsWith("```sh\n").endsWith("\n```")
                .contains("rm -rf x").satisfies(b -> assertThat(b.split("```", -1)).hasSize(3));
        assertThat(platform.editWindow()).isPositive();
        assertThat(platform.maxSelectOptions()).isPositive();
    }

    @Test
    void aSelectWithAsManyOptionsAsThePlatformAllowsIsAccepted() {
        java.util.List<ChatPlatform.Option> options = java.util.stream.IntStream.range(0, platform.maxSelectOptions())
                .mapToObj(i -> new ChatPlatform.Option("option " + i, "v" + i, "")).toList();
        String id = platform.post(channel, new ChatPlatform.OutgoingMessage("pick one", java.util.List.of(
                new ComponentRow.Select("pick", "Pick", options, 1)), java.util.List.of())).block(TIMEOUT);
        assertThat(probe.message(id).rows()).singleElement().isInstanceOfSatisfying(ComponentRow.Select.class,
                s -> assertThat(s.options()).hasSize(platform.maxSelectOptions()));
    }

    // ---- pageLimit

    @Test
    void aTextOfExactlyPageLimitCodePointsIsPostedAndEditedWhole() {
        int limit = platform.pageLimit();
        assertThat(limit).isPositive();
        String full = codePoints(limit, 0);
        assertThat(full.codePointCount(0, full.length())).isEqualTo(limit);
        assertThat(full.length()).as("surrogate pairs make it longer in chars").isGreaterThan(limit);

        String id = post(OutgoingMessage.text(full));
        assertThat(probe.message(id).text()).isEqualTo(full);

        String edited = codePoints(limit, 1);
        assertThat(edit(id, OutgoingMessage.text(edited))).isEqualTo(id);
        assertThat(probe.message(id).text()).isEqualTo(edited);
    }

    // ---- post

    @Test
    void postReturnsTheIdOfTheMessageTheServerStored() {
        String id = post(OutgoingMessage.text("hello from the bridge ✨"));

        assertThat(probe.messages(channel)).extracting(ServerMessage::id).containsExactly(id);
        ServerMessage stored = probe.message(id);
        assertThat(stored.channelId()).isEqualTo(channel);
        assertThat(stored.text()).isEqualTo("hello from the bridge ✨");
        assertThat(stored.rows()).isEmpty();
        assertThat(stored.files()).isEmpty();
        assertThat(stored.edits()).isZero();
        assertThat(stored.deleted()).isFalse();

        String second = post(OutgoingMessage.text("second"));
        assertThat(second).isNotEqualTo(id);
        assertThat(probe.messages(channel)).extracting(ServerMessage::id).containsExactly(id, second);
    }

    @Test
    void buttonsKeepTheirCustomIdsLabelsStylesAndDisabledState() {
        List<ComponentRow> rows = List.of(
                new ComponentRow.Buttons(List.of(
                        new Button("perm:allow:42", "Allow", Style.SUCCESS, false),
                        new Button("perm:deny:42", "Deny", Style.DANGER, false),
                        new Button("perm:always:42", "Always allow Bash(ls:*)", Style.PRIMARY, false))),
                new ComponentRow.Buttons(List.of(
                        new Button("stop:42", "Stop", Style.SECONDARY, true))));

        String id = post(OutgoingMessage.text("May I run ls?").withRows(rows));

        assertThat(probe.message(id).rows()).isEqualTo(rows);
    }

    @Test
    void aSelectMenuKeepsItsOptionsPlaceholderAndMaxValues() {
        List<ComponentRow> rows = List.of(
                new ComponentRow.Select("model:7", "Pick models", List.of(
                        new Option("Opus", "opus", "The largest"),
                        new Option("Sonnet", "sonnet", "Balanced"),
                        new Option("Haiku", "haiku", "")), 2),
                new ComponentRow.Select("mode:7", "Pick one", List.of(
                        new Option("Plan", "plan", "Read only"),
                        new Option("Edit", "edit", "")), 1),
                new ComponentRow.Buttons(List.of(new Button("cancel:7", "Cancel", Style.SECONDARY, false))));

        String id = post(OutgoingMessage.text("Choose").withRows(rows));

        assertThat(probe.message(id).rows()).isEqualTo(rows);
    }

    @Test
    void attachmentsKeepTheirNamesAndBytes() {
        byte[] text = "line 1\nline 2 ünïcødé 🎉\n".getBytes(StandardCharsets.UTF_8);
        byte[] binary = new byte[256 * 4];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) i;
        }
        OutgoingMessage message = new OutgoingMessage("two files", List.of(),
                List.of(new Attachment("tool-input.txt", text), new Attachment("blob.bin", binary)));

        String id = post(message);

        ServerMessage stored = probe.message(id);
        assertThat(stored.text()).isEqualTo("two files");
        assertThat(stored.files()).extracting(ServerFile::name).containsExactly("tool-input.txt", "blob.bin");
        assertThat(stored.files().get(0).content()).isEqualTo(text);
        assertThat(stored.files().get(1).content()).isEqualTo(binary);
    }

    @Test
    void noPostNorEditPingsAnybody() {
        String loud = String.join(" ", probe.mentionTexts());
        assertThat(loud).isNotBlank();

        String id = post(OutgoingMessage.text("look " + loud));
        String plain = post(OutgoingMessage.text("nothing to mention"));
        assertThat(edit(plain, OutgoingMessage.text("now: " + loud))).isEqualTo(plain);
        assertThat(edit(id, OutgoingMessage.text("again " + loud))).isEqualTo(id);

        assertThat(probe.pingedNobody(id)).isTrue();
        assertThat(probe.pingedNobody(plain)).isTrue();
    }

    // ---- edit

    @Test
    void editReplacesTextAndComponentsAndKeepsTheId() {
        List<ComponentRow> before = List.of(new ComponentRow.Buttons(List.of(
                new Button("stop:1", "Stop", Style.DANGER, false))));
        List<ComponentRow> after = List.of(new ComponentRow.Select("pick:1", "Pick", List.of(
                new Option("A", "a", "first"), new Option("B", "b", "")), 1));
        String id = post(OutgoingMessage.text("working…").withRows(before));

        assertThat(edit(id, OutgoingMessage.text("done ✅").withRows(after))).isEqualTo(id);
        ServerMessage stored = probe.message(id);
        assertThat(stored.text()).isEqualTo("done ✅");
        assertThat(stored.rows()).isEqualTo(after);
        assertThat(stored.edits()).isEqualTo(1);

        assertThat(edit(id, OutgoingMessage.text("final"))).isEqualTo(id);
        stored = probe.message(id);
        assertThat(stored.text()).isEqualTo("final");
        assertThat(stored.rows()).as("an edit without rows removes the components").isEmpty();
        assertThat(stored.edits()).isEqualTo(2);
        assertThat(probe.messages(channel)).extracting(ServerMessage::id).containsExactly(id);
    }

    @Test
    void anEditOfADeletedMessagePostsTheTextAnew() {
        String id = post(OutgoingMessage.text("soon deleted"));
        probe.deleteMessage(id);
        List<ComponentRow> rows = List.of(new ComponentRow.Buttons(List.of(
                new Button("again:1", "Again", Style.PRIMARY, false))));

        String now = edit(id, OutgoingMessage.text("the text must survive " + String.join(" ",
                probe.mentionTexts())).withRows(rows));

        assertThat(now).isNotEqualTo(id);
        assertPostedAnew(id, now, rows);
        assertThat(probe.message(id).deleted()).isTrue();
    }

    @Test
    void anEditOfAMessageTooOldToEditPostsTheTextAnew() {
        String id = post(OutgoingMessage.text("old"));
        assumeTrue(probe.makeTooOldToEdit(id), "the platform has no edit age limit");
        List<ComponentRow> rows = List.of(new ComponentRow.Buttons(List.of(
                new Button("again:2", "Again", Style.PRIMARY, false))));

        String now = edit(id, OutgoingMessage.text("the text must survive " + String.join(" ",
                probe.mentionTexts())).withRows(rows));

        assertThat(now).isNotEqualTo(id);
        assertPostedAnew(id, now, rows);
        assertThat(probe.message(id).text()).as("the old message is left as it was").isEqualTo("old");
    }

    private void assertPostedAnew(String old, String now, List<ComponentRow> rows) {
        ServerMessage fresh = probe.message(now);
        assertThat(fresh.channelId()).isEqualTo(channel);
        assertThat(fresh.text()).startsWith("the text must survive ");
        assertThat(fresh.rows()).isEqualTo(rows);
        assertThat(fresh.deleted()).isFalse();
        assertThat(probe.pingedNobody(now)).isTrue();
        assertThat(probe.messages(channel)).extracting(ServerMessage::id).containsExactly(old, now);
    }

    // ---- editSlot

    @Test
    void editSlotCompletes() {
        platform.editSlot(channel).as(StepVerifier::create).expectComplete().verify(TIMEOUT);
    }

    @Test
    void aBurstOfPacedEditsCompletesAndTheLastOneWins() {
        String id = post(OutgoingMessage.text("frame 0"));
        int frames = 8;

        Flux.range(1, frames)
                .concatMap(i -> platform.editSlot(channel)
                        .then(platform.edit(channel, id, OutgoingMessage.text("frame " + i))))
                .as(StepVerifier::create)
                .expectNextCount(frames)
                .expectComplete()
                .verify(Duration.ofSeconds(60));

        ServerMessage stored = probe.message(id);
        assertThat(stored.text()).isEqualTo("frame " + frames);
        assertThat(stored.edits()).isEqualTo(frames);
        assertThat(probe.messages(channel)).extracting(ServerMessage::id).containsExactly(id);
    }

    @Test
    void manySlotsAskedAtOnceAllComplete() {
        Flux.range(0, 40)
                .flatMap(i -> platform.editSlot(channel).thenReturn(i))
                .as(StepVerifier::create)
                .expectNextCount(40)
                .expectComplete()
                .verify(TIMEOUT);
    }

    // ---- reactions

    @Test
    void reactAddsAndUnreactRemovesTheEmoji() {
        String id = post(OutgoingMessage.text("react to me"));

        Mono.when(platform.react(channel, id, "⏳"), platform.react(channel, id, "⚠️"))
                .as(StepVerifier::create).expectComplete().verify(TIMEOUT);
        assertThat(probe.ownReactions(id)).containsExactlyInAnyOrder("⏳", "⚠️");

        platform.unreact(channel, id, "⏳").as(StepVerifier::create).expectComplete().verify(TIMEOUT);
        assertThat(probe.ownReactions(id)).containsExactly("⚠️");

        platform.react(channel, id, "✅").then(platform.unreact(channel, id, "⚠️"))
                .as(StepVerifier::create).expectComplete().verify(TIMEOUT);
        assertThat(probe.ownReactions(id)).containsExactly("✅");
    }

    // ---- helpers

    protected String post(OutgoingMessage message) {
        String id = platform.post(channel, message).block(TIMEOUT);
        assertThat(id).isNotBlank();
        return id;
    }

    protected String edit(String messageId, OutgoingMessage message) {
        String id = platform.edit(channel, messageId, message).block(TIMEOUT);
        assertThat(id).isNotBlank();
        return id;
    }

    /**
     * Exactly {@code count} code points, many outside the BMP (surrogate pairs), ending with one so that a cut by
     * chars instead of code points shows.
     */
    static String codePoints(int count, int shift) {
        int[] alphabet = {'a', 0x1F389, 'é', 0x1D11E, '中', ' ', 0x1F600 + shift};
        return IntStream.range(0, count)
                .map(i -> i == count - 1 ? 0x1F680 + shift : alphabet[(i + shift) % alphabet.length])
                .mapToObj(Character::toString)
                .collect(Collectors.joining());
    }
}
