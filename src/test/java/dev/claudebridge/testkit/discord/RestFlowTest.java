package dev.claudebridge.testkit.discord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import discord4j.common.util.Snowflake;
import discord4j.core.event.domain.interaction.ButtonInteractionEvent;
import discord4j.core.event.domain.interaction.ChatInputInteractionEvent;
import discord4j.core.event.domain.interaction.SelectMenuInteractionEvent;
import discord4j.core.event.domain.message.MessageCreateEvent;
import discord4j.core.event.domain.message.MessageDeleteEvent;
import discord4j.core.event.domain.message.MessageUpdateEvent;
import discord4j.core.event.domain.message.ReactionAddEvent;
import discord4j.core.event.domain.thread.ThreadChannelCreateEvent;
import discord4j.core.object.component.ActionRow;
import discord4j.core.object.component.Button;
import discord4j.core.object.component.SelectMenu;
import discord4j.core.object.component.TextInput;
import discord4j.core.object.emoji.Emoji;
import discord4j.core.object.entity.Message;
import discord4j.core.object.entity.channel.TextChannel;
import discord4j.core.object.entity.channel.ThreadChannel;
import discord4j.core.spec.EmbedCreateSpec;
import discord4j.core.spec.MessageCreateFields;
import discord4j.core.spec.MessageCreateSpec;
import discord4j.core.spec.MessageEditSpec;
import discord4j.core.spec.StartThreadFromMessageSpec;
import discord4j.core.spec.ThreadChannelEditSpec;
import discord4j.discordjson.json.ApplicationCommandData;
import discord4j.discordjson.json.ApplicationCommandRequest;
import discord4j.discordjson.json.MessageData;
import discord4j.rest.http.client.ClientException;
import discord4j.rest.util.AllowedMentions;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** Every REST flow the bot uses round-trips through Discord4J, and the bot's own messages come back as events. */
@Timeout(60)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
final class RestFlowTest {
    private Harness h;

    @BeforeAll
    void start() {
        // Roomy limits: this class posts many messages in one channel and is not about rate limits.
        h = Harness.start(FakeDiscordSettings.defaults().withMessageLimits(100, java.time.Duration.ofSeconds(5)),
                Harness.WITH_CONTENT);
        List<ApplicationCommandData> registered = h.rest().getApplicationService()
                .bulkOverwriteGlobalApplicationCommand(Long.parseLong(h.ids.applicationId()), List.of(
                        ApplicationCommandRequest.builder().name("status").description("Show state").build(),
                        ApplicationCommandRequest.builder().name("menu").description("Menu").build()))
                .collectList().block(Harness.WAIT);
        assertThat(registered).extracting(c -> c.id().asString()).doesNotContainNull();
        assertThat(h.discord.commands(null).findValuesAsText("name")).containsExactly("status", "menu");
    }

    @AfterAll
    void stop() {
        h.close();
    }

    private TextChannel main() {
        return h.gateway.getChannelById(Snowflake.of(h.ids.mainChannelId())).ofType(TextChannel.class)
                .block(Harness.WAIT);
    }

    private long mainId() {
        return Long.parseLong(h.ids.mainChannelId());
    }

    @Test
    void createEditGetListAndDeleteRoundTripAndEchoOnTheGateway() {
        Message created = main().createMessage("thinking...").block(Harness.WAIT);
        String id = created.getId().asString();
        MessageCreateEvent echo = h.await(MessageCreateEvent.class, e -> e.getMessage().getId().equals(created.getId()));
        assertThat(echo.getMessage().getAuthor().orElseThrow().isBot()).isTrue();
        assertThat(echo.getMessage().getContent()).isEqualTo("thinking...");

        created.edit(MessageEditSpec.builder().contentOrNull("partial 1").build()).block(Harness.WAIT);
        Message edited = created.edit(MessageEditSpec.builder().contentOrNull("final")
                .addEmbed(EmbedCreateSpec.builder().title("Result").description("done").build()).build())
                .block(Harness.WAIT);
        assertThat(edited.getEditedTimestamp()).isPresent();
        assertThat(h.await(MessageUpdateEvent.class, e -> e.getMessageId().equals(created.getId())
                && e.getCurrentContent().orElse("").equals("final"))).isNotNull();

        PostedMessage stored = h.discord.message(id);
        assertThat(stored.edits()).extracting(MessageEdit::content).containsExactly("partial 1", "final");
        assertThat(stored.edits().get(1).embeds().get(0).path("title").asText()).isEqualTo("Result");
        assertThat(stored.edits().get(0).at()).isBeforeOrEqualTo(stored.edits().get(1).at());

        MessageData fetched = h.rest().getChannelService().getMessage(mainId(), Long.parseLong(id)).block(Harness.WAIT);
        assertThat(fetched.content()).isEqualTo("final");
        List<MessageData> listed = h.rest().getChannelService().getMessages(mainId(), Map.of("limit", 100))
                .collectList().block(Harness.WAIT);
        assertThat(listed).extracting(m -> m.id().asString()).contains(id);

        created.delete().block(Harness.WAIT);
        assertThat(h.await(MessageDeleteEvent.class, e -> e.getMessageId().equals(created.getId()))).isNotNull();
        assertThat(h.discord.message(id).deleted()).isTrue();
        assertThatThrownBy(() -> h.rest().getChannelService().getMessage(mainId(), Long.parseLong(id))
                .block(Harness.WAIT))
                .isInstanceOfSatisfying(ClientException.class, e -> assertThat(e.getStatus().code()).isEqualTo(404));
    }

    @Test
    void threadsFromAMessageAndWithoutOneArchiveAndUnarchive() {
        Message starter = main().createMessage("start a session").block(Harness.WAIT);
        ThreadChannel thread = starter.startThread(StartThreadFromMessageSpec.builder().name("Session thread")
                .autoArchiveDuration(ThreadChannel.AutoArchiveDuration.DURATION2).build()).block(Harness.WAIT);
        assertThat(thread.getId()).isEqualTo(starter.getId());
        assertThat(h.await(ThreadChannelCreateEvent.class, e -> e.getChannel().getId().equals(thread.getId()))
                .isNewlyCreated()).isTrue();
        assertThatThrownBy(() -> starter.startThread(StartThreadFromMessageSpec.builder().name("again").build())
                .block(Harness.WAIT))
                .isInstanceOfSatisfying(ClientException.class, e -> assertThat(e.getErrorResponse().orElseThrow()
                        .getFields().get("code")).isEqualTo(160004));

        thread.edit(ThreadChannelEditSpec.builder().archived(true).build()).block(Harness.WAIT);
        assertThat(threadView(thread).archived()).isTrue();
        thread.edit(ThreadChannelEditSpec.builder().archived(false).build()).block(Harness.WAIT);
        assertThat(threadView(thread).archived()).isFalse();

        ThreadChannel standalone = main().startPublicThreadWithoutMessage("Standalone").block(Harness.WAIT);
        ThreadView view = threadView(standalone);
        assertThat(view.parentId()).isEqualTo(h.ids.mainChannelId());
        assertThat(view.type()).isEqualTo(11);
        standalone.createMessage("inside").block(Harness.WAIT);
        assertThat(h.discord.messages(standalone.getId().asString())).extracting(PostedMessage::content)
                .containsExactly("inside");
    }

    private ThreadView threadView(ThreadChannel thread) {
        return h.discord.threads().stream().filter(t -> t.id().equals(thread.getId().asString())).findFirst()
                .orElseThrow();
    }

    @Test
    void reactionsAreStoredAndEchoed() {
        Message message = main().createMessage("queued").block(Harness.WAIT);
        message.addReaction(Emoji.unicode("⏳")).block(Harness.WAIT);
        assertThat(h.await(ReactionAddEvent.class, e -> e.getMessageId().equals(message.getId())).getEmoji()
                .asUnicodeEmoji().orElseThrow().getRaw()).isEqualTo("⏳");
        assertThat(h.discord.message(message.getId().asString()).reactions())
                .isEqualTo(Map.of("⏳", List.of(h.ids.botId())));
        message.removeSelfReaction(Emoji.unicode("⏳")).block(Harness.WAIT);
        assertThat(h.discord.message(message.getId().asString()).reactions()).isEmpty();
    }

    @Test
    void aDeferredSlashCommandIsEditedAndFollowedUp() {
        InteractionRef ref = h.discord.slashCommand(FakeUser.OWNER, h.ids.mainChannelId(), "status", Map.of());
        ChatInputInteractionEvent event = h.await(ChatInputInteractionEvent.class,
                e -> e.getInteraction().getId().asString().equals(ref.id()));
        event.deferReply().block(Harness.WAIT);
        event.editReply("partial answer").block(Harness.WAIT);
        Message edited = event.editReply().withContentOrNull("final answer")
                .withComponents(ActionRow.of(Button.primary("stop", "Stop"))).block(Harness.WAIT);
        Message followup = event.createFollowup("followup text").withEphemeral(true).block(Harness.WAIT);

        InteractionView view = h.discord.interaction(ref.id());
        assertThat(view.callbacks()).extracting(InteractionView.Callback::type).containsExactly(5);
        PostedMessage original = h.discord.message(view.originalMessageId().orElseThrow());
        assertThat(original.id()).isEqualTo(edited.getId().asString());
        assertThat(original.content()).isEqualTo("final answer");
        assertThat(original.customIds()).containsExactly("stop");
        assertThat(original.type()).isEqualTo(20);
        assertThat(original.edits()).extracting(MessageEdit::content).containsExactly("partial answer", "final answer");
        assertThat(h.discord.message(followup.getId().asString()).ephemeral()).isTrue();
        assertThat(event.getReply().block(Harness.WAIT).getContent()).isEqualTo("final answer");
    }

    @Test
    @SuppressWarnings("deprecation") // TextInput.small: the form in the captured Discord4J transcript
    void componentCallbacksUpdateDeferAndPresentModals() {
        Message message = main().createMessage(MessageCreateSpec.builder().content("allow Bash?")
                .addComponent(ActionRow.of(Button.success("allow", "Allow"), Button.secondary("modal", "Why")))
                .addComponent(ActionRow.of(SelectMenu.of("pick", SelectMenu.Option.of("A", "a"))))
                .build()).block(Harness.WAIT);
        String messageId = message.getId().asString();

        InteractionRef click = h.discord.clickButton(FakeUser.OWNER, messageId, "allow");
        h.await(ButtonInteractionEvent.class, e -> e.getInteraction().getId().asString().equals(click.id()))
                .edit().withContent("allowed").withComponents(List.of()).block(Harness.WAIT);
        PostedMessage updated = h.discord.message(messageId);
        assertThat(updated.content()).isEqualTo("allowed");
        assertThat(updated.components()).isEmpty();
        assertThat(h.await(MessageUpdateEvent.class, e -> e.getMessageId().equals(message.getId())
                && e.getCurrentContent().orElse("").equals("allowed"))).isNotNull();

        Message another = main().createMessage(MessageCreateSpec.builder().content("pick one")
                .addComponent(ActionRow.of(SelectMenu.of("pick", SelectMenu.Option.of("A", "a"))))
                .addComponent(ActionRow.of(Button.secondary("modal", "Why"))).build()).block(Harness.WAIT);
        InteractionRef choice = h.discord.chooseSelect(FakeUser.OWNER, another.getId().asString(), "pick",
                List.of("a"));
        h.await(SelectMenuInteractionEvent.class, e -> e.getInteraction().getId().asString().equals(choice.id()))
                .deferEdit().block(Harness.WAIT);
        assertThat(h.discord.interaction(choice.id()).callbacks()).extracting(InteractionView.Callback::type)
                .containsExactly(6);

        InteractionRef modal = h.discord.clickButton(FakeUser.OWNER, another.getId().asString(), "modal");
        h.await(ButtonInteractionEvent.class, e -> e.getInteraction().getId().asString().equals(modal.id()))
                .presentModal().withTitle("Why?").withCustomId("why")
                .withComponents(ActionRow.of(TextInput.small("reason", "Reason"))).block(Harness.WAIT);
        assertThat(h.discord.interaction(modal.id()).modal().orElseThrow().path("custom_id").asText())
                .isEqualTo("why");
    }

    @Test
    void aDirectReplyIsAMessageInTheChannel() {
        InteractionRef ref = h.discord.slashCommand(FakeUser.FRIEND, h.ids.mainChannelId(), "menu", Map.of());
        h.await(ChatInputInteractionEvent.class, e -> e.getInteraction().getId().asString().equals(ref.id()))
                .reply().withContent("direct reply").withAllowedMentions(AllowedMentions.suppressAll())
                .block(Harness.WAIT);
        PostedMessage reply = h.discord.message(h.discord.interaction(ref.id()).originalMessageId().orElseThrow());
        assertThat(reply.content()).isEqualTo("direct reply");
        assertThat(reply.channelId()).isEqualTo(h.ids.mainChannelId());
        assertThat(reply.allowedMentions().orElseThrow().path("parse").isEmpty()).isTrue();
    }

    @Test
    void aMultipartUploadKeepsTheFileAndThePayload() {
        byte[] bytes = "full tool input".getBytes(StandardCharsets.UTF_8);
        Message message = main().createMessage(MessageCreateSpec.builder().content("file attached")
                .addFile(MessageCreateFields.File.of("input.txt", new ByteArrayInputStream(bytes))).build())
                .block(Harness.WAIT);
        assertThat(message.getAttachments()).singleElement()
                .satisfies(a -> assertThat(a.getFilename()).isEqualTo("input.txt"))
                .satisfies(a -> assertThat(a.getSize()).isEqualTo(bytes.length));
        PostedMessage stored = h.discord.message(message.getId().asString());
        assertThat(stored.content()).isEqualTo("file attached");
        assertThat(stored.attachments()).singleElement().extracting(Attachment::text).isEqualTo("full tool input");
    }

    @Test
    void aBotPostWithoutAllowedMentionsThatPingsIsRecorded() {
        Message loud = main().createMessage("@everyone look, <@&" + FakeUser.FRIEND.roleId() + ">").block(Harness.WAIT);
        main().createMessage(MessageCreateSpec.builder().content("@everyone quiet")
                .allowedMentions(AllowedMentions.suppressAll()).build()).block(Harness.WAIT);

        assertThat(h.discord.pings()).extracting(Ping::messageId).containsOnly(loud.getId().asString());
        assertThat(h.discord.pings()).extracting(Ping::mention)
                .containsExactly("@everyone", "<@&" + FakeUser.FRIEND.roleId() + ">");
    }
}
