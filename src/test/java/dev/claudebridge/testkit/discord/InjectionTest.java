package dev.claudebridge.testkit.discord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import discord4j.common.util.Snowflake;
import discord4j.core.event.domain.interaction.ButtonInteractionEvent;
import discord4j.core.event.domain.interaction.ChatInputAutoCompleteEvent;
import discord4j.core.event.domain.interaction.ChatInputInteractionEvent;
import discord4j.core.event.domain.interaction.SelectMenuInteractionEvent;
import discord4j.core.event.domain.message.MessageCreateEvent;
import discord4j.core.event.domain.thread.ThreadChannelUpdateEvent;
import discord4j.core.object.command.ApplicationCommandInteractionOptionValue;
import discord4j.core.object.component.ActionRow;
import discord4j.core.object.component.Button;
import discord4j.core.object.component.SelectMenu;
import discord4j.core.object.entity.Message;
import discord4j.core.object.entity.channel.TextChannel;
import discord4j.core.object.entity.channel.ThreadChannel;
import discord4j.core.spec.MessageCreateSpec;
import discord4j.discordjson.json.ApplicationCommandOptionChoiceData;
import discord4j.discordjson.json.ApplicationCommandOptionData;
import discord4j.discordjson.json.ApplicationCommandRequest;
import discord4j.gateway.intent.IntentSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** Each injected event arrives in the real Discord4J client as the right event with the right fields. */
@Timeout(60)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
final class InjectionTest {
    private Harness h;

    @BeforeAll
    void start() {
        h = Harness.start();
        List<ApplicationCommandRequest> commands = List.of(ApplicationCommandRequest.builder().name("ask")
                .description("Ask").addOption(ApplicationCommandOptionData.builder().name("prompt").description("p")
                        .type(3).required(true).build())
                .addOption(ApplicationCommandOptionData.builder().name("count").description("n").type(4).build())
                .addOption(ApplicationCommandOptionData.builder().name("who").description("u").type(6).build())
                .addOption(ApplicationCommandOptionData.builder().name("topic").description("t").type(3)
                        .autocomplete(true).build())
                .build());
        h.rest().getApplicationService().bulkOverwriteGuildApplicationCommand(Long.parseLong(h.ids.applicationId()),
                Long.parseLong(h.ids.guildId()), commands).collectList().block(Harness.WAIT);
    }

    @AfterAll
    void stop() {
        h.close();
    }

    private TextChannel main() {
        return h.gateway.getChannelById(Snowflake.of(h.ids.mainChannelId())).ofType(TextChannel.class)
                .block(Harness.WAIT);
    }

    @Test
    void aUserMessageArrivesAsMessageCreateEventWithAuthorMemberAndRole() {
        String id = h.discord.userMessage(FakeUser.FRIEND, h.ids.mainChannelId(), "hello from friend");

        MessageCreateEvent event = h.await(MessageCreateEvent.class,
                e -> e.getMessage().getId().asString().equals(id));
        assertThat(event.getMessage().getContent()).isEqualTo("hello from friend");
        assertThat(event.getMessage().getChannelId().asString()).isEqualTo(h.ids.mainChannelId());
        assertThat(event.getGuildId()).contains(Snowflake.of(h.ids.guildId()));
        assertThat(event.getMessage().getAuthor().orElseThrow().getId().asString()).isEqualTo(FakeUser.FRIEND.id());
        assertThat(event.getMessage().getAuthor().orElseThrow().isBot()).isFalse();
        assertThat(event.getMember().orElseThrow().getRoleIds())
                .containsExactly(Snowflake.of(FakeUser.FRIEND.roleId()));
    }

    @Test
    void aUserMessageInAThreadArrivesWithTheThreadAsChannel() {
        ThreadChannel thread = main().startPublicThreadWithoutMessage("injection thread").block(Harness.WAIT);
        String id = h.discord.userMessage(FakeUser.OWNER, thread.getId().asString(), "in the thread");

        MessageCreateEvent event = h.await(MessageCreateEvent.class,
                e -> e.getMessage().getId().asString().equals(id));
        assertThat(event.getMessage().getChannelId()).isEqualTo(thread.getId());
        ThreadChannel channel = event.getMessage().getChannel().ofType(ThreadChannel.class).block(Harness.WAIT);
        assertThat(channel.getParentId()).contains(Snowflake.of(h.ids.mainChannelId()));
    }

    @Test
    void withoutMessageContentIntentOthersMessagesArriveBlankUnlessTheBotIsMentioned() {
        try (Harness plain = Harness.start(FakeDiscordSettings.defaults(), IntentSet.nonPrivileged())) {
            String hidden = plain.discord.userMessage(FakeUser.OWNER, plain.ids.mainChannelId(), "secret text");
            String mention = "<@" + plain.ids.botId() + "> look";
            String shown = plain.discord.userMessage(FakeUser.OWNER, plain.ids.mainChannelId(), mention);

            assertThat(plain.await(MessageCreateEvent.class, e -> e.getMessage().getId().asString().equals(hidden))
                    .getMessage().getData().content()).isEmpty();
            assertThat(plain.await(MessageCreateEvent.class, e -> e.getMessage().getId().asString().equals(shown))
                    .getMessage().getData().content()).isEqualTo(mention);
            assertThat(plain.discord.message(hidden).content()).isEqualTo("secret text");
        }
    }

    @Test
    void aSlashCommandArrivesWithItsOptionsAndItsUser() {
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("prompt", "why?");
        options.put("count", 3);
        options.put("who", FakeUser.STRANGER);
        InteractionRef ref = h.discord.slashCommand(FakeUser.OWNER, h.ids.mainChannelId(), "ask", options);

        ChatInputInteractionEvent event = h.await(ChatInputInteractionEvent.class,
                e -> e.getInteraction().getId().asString().equals(ref.id()));
        assertThat(event.getCommandName()).isEqualTo("ask");
        assertThat(event.getOption("prompt").flatMap(o -> o.getValue())
                .map(ApplicationCommandInteractionOptionValue::asString)).contains("why?");
        assertThat(event.getOption("count").flatMap(o -> o.getValue())
                .map(ApplicationCommandInteractionOptionValue::asLong)).contains(3L);
        assertThat(event.getOption("who").flatMap(o -> o.getValue())
                .map(v -> v.asUser().block(Harness.WAIT).getUsername())).contains("stranger");
        assertThat(event.getInteraction().getUser().getId().asString()).isEqualTo(FakeUser.OWNER.id());
        assertThat(event.getInteraction().getChannelId().asString()).isEqualTo(h.ids.mainChannelId());
        assertThat(event.getInteraction().getToken()).isEqualTo(ref.token());
    }

    /** Discord's autocomplete: type 4 with the focused option's partial text, answered by callback 8 only. */
    @Test
    void anAutocompleteArrivesWithItsFocusedOptionAndTakesOnlySuggestions() {
        InteractionRef ref = h.discord.autocomplete(FakeUser.OWNER, h.ids.mainChannelId(), "ask",
                Map.of("prompt", "why?", "topic", "mo"), "topic");
        ChatInputAutoCompleteEvent event = h.await(ChatInputAutoCompleteEvent.class,
                e -> e.getInteraction().getId().asString().equals(ref.id()));
        assertThat(event.getCommandName()).isEqualTo("ask");
        assertThat(event.getFocusedOption().getName()).isEqualTo("topic");
        assertThat(event.getFocusedOption().getValue().map(ApplicationCommandInteractionOptionValue::getRaw))
                .contains("mo");

        event.respondWithSuggestions(List.of(ApplicationCommandOptionChoiceData.builder().name("model")
                .value("model").build())).block(Harness.WAIT);
        InteractionView view = h.discord.interaction(ref.id());
        assertThat(view.type()).isEqualTo(4);
        assertThat(view.callbacks()).singleElement().satisfies(c -> {
            assertThat(c.type()).isEqualTo(8);
            assertThat(c.data().path("choices").path(0).path("name").asText()).isEqualTo("model");
        });

        InteractionRef other = h.discord.autocomplete(FakeUser.OWNER, h.ids.mainChannelId(), "ask", Map.of(),
                "topic");
        ChatInputAutoCompleteEvent second = h.await(ChatInputAutoCompleteEvent.class,
                e -> e.getInteraction().getId().asString().equals(other.id()));
        List<ApplicationCommandOptionChoiceData> tooMany = java.util.stream.IntStream.range(0, 26)
                .mapToObj(i -> (ApplicationCommandOptionChoiceData) ApplicationCommandOptionChoiceData.builder()
                        .name("c" + i).value("c" + i).build()).toList();
        assertThatThrownBy(() -> second.respondWithSuggestions(tooMany).block(Harness.WAIT))
                .hasMessageContaining("50035");
        assertThat(h.discord.interaction(other.id()).callbacks()).isEmpty();

        assertThatThrownBy(() -> h.discord.autocomplete(FakeUser.OWNER, h.ids.mainChannelId(), "ask", Map.of(),
                "prompt")).isInstanceOf(IllegalStateException.class).hasMessageContaining("autocomplete: true");
    }

    @Test
    void anUnregisteredCommandCannotBeInvoked() {
        assertThatThrownBy(() -> h.discord.slashCommand(FakeUser.OWNER, h.ids.mainChannelId(), "nope", Map.of()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("nope");
    }

    @Test
    void aButtonClickAndASelectChoiceArriveWithTheirMessageAndValues() {
        Message message = main().createMessage(MessageCreateSpec.builder().content("choose")
                .addComponent(ActionRow.of(Button.primary("allow", "Allow"), Button.danger("deny", "Deny")))
                .addComponent(ActionRow.of(SelectMenu.of("pick", SelectMenu.Option.of("A", "a"),
                        SelectMenu.Option.of("B", "b"))))
                .build()).block(Harness.WAIT);
        String messageId = message.getId().asString();

        InteractionRef click = h.discord.clickButton(FakeUser.FRIEND, messageId, "deny");
        ButtonInteractionEvent button = h.await(ButtonInteractionEvent.class,
                e -> e.getInteraction().getId().asString().equals(click.id()));
        assertThat(button.getCustomId()).isEqualTo("deny");
        assertThat(button.getMessageId().asString()).isEqualTo(messageId);
        assertThat(button.getInteraction().getUser().getId().asString()).isEqualTo(FakeUser.FRIEND.id());
        assertThat(button.getMessage().orElseThrow().getContent()).isEqualTo("choose");

        InteractionRef choice = h.discord.chooseSelect(FakeUser.OWNER, messageId, "pick", List.of("b"));
        SelectMenuInteractionEvent select = h.await(SelectMenuInteractionEvent.class,
                e -> e.getInteraction().getId().asString().equals(choice.id()));
        assertThat(select.getCustomId()).isEqualTo("pick");
        assertThat(select.getValues()).containsExactly("b");

        assertThatThrownBy(() -> h.discord.clickButton(FakeUser.OWNER, messageId, "missing"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anInjectedThreadArchiveArrivesAsThreadChannelUpdateEvent() {
        ThreadChannel thread = main().startPublicThreadWithoutMessage("to archive").block(Harness.WAIT);
        h.discord.archiveThread(thread.getId().asString());

        ThreadChannelUpdateEvent event = h.await(ThreadChannelUpdateEvent.class,
                e -> e.getChannel().getId().equals(thread.getId()) && e.getChannel().isArchived());
        assertThat(event.getChannel().getParentId()).contains(Snowflake.of(h.ids.mainChannelId()));

        // Writing into an archived thread unarchives it, as on Discord.
        thread.createMessage("wake up").block(Harness.WAIT);
        assertThat(h.discord.threads()).filteredOn(t -> t.id().equals(thread.getId().asString()))
                .singleElement().extracting(ThreadView::archived).isEqualTo(false);
    }
}
