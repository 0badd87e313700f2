package dev.claudebridge.discord;

import dev.claudebridge.core.port.ChatPlatform;
import dev.claudebridge.core.port.Markup;
import discord4j.core.object.component.ActionRow;
import discord4j.core.object.component.LayoutComponent;
import discord4j.core.object.component.SelectMenu;
import discord4j.discordjson.json.AllowedMentionsData;
import discord4j.discordjson.json.ComponentData;
import discord4j.discordjson.json.MessageCreateRequest;
import discord4j.discordjson.json.MessageEditRequest;
import discord4j.discordjson.json.StartThreadFromMessageRequest;
import discord4j.discordjson.json.StartThreadWithoutMessageRequest;
import discord4j.discordjson.possible.Possible;
import discord4j.rest.RestClient;
import discord4j.rest.http.client.ClientException;
import discord4j.rest.util.MultipartRequest;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.util.function.Tuples;

/** The core's chat platform on Discord's REST API. Every message pings nobody. */
final class DiscordChat implements ChatPlatform {

    private static final Logger log = LoggerFactory.getLogger(DiscordChat.class);
    static final AllowedMentionsData NO_PINGS = AllowedMentionsData.builder().parse(List.of()).build();
    static final int PAGE_LIMIT = 2000;
    /** Discord refuses edits of messages older than an hour (30046): continue on a new message before that. */
    static final Duration EDIT_WINDOW = Duration.ofMinutes(55);
    static final int MAX_SELECT_OPTIONS = 25;
    /** Threads archive after a day without messages (the longest Discord offers every server). */
    private static final int AUTO_ARCHIVE_MINUTES = 1440;
    private static final Markup MARKUP = new DiscordMarkup();
    private static final int PUBLIC_THREAD = 11;

    private final RestClient rest;
    private final EditPacer pacer;
    private final long uploadLimit;

    DiscordChat(RestClient rest, EditPacer pacer) {
        this(rest, pacer, DEFAULT_UPLOAD_LIMIT);
    }

    /** @param uploadLimit {@code DISCORD_UPLOAD_LIMIT}: Discord's limit depends on the server's boosts */
    DiscordChat(RestClient rest, EditPacer pacer, long uploadLimit) {
        this.rest = rest;
        this.pacer = pacer;
        this.uploadLimit = uploadLimit;
    }

    @Override
    public long uploadLimit() {
        return uploadLimit;
    }

    @Override
    public String platform() {
        return "discord";
    }

    @Override
    public Markup markup() {
        return MARKUP;
    }

    @Override
    public int pageLimit() {
        return PAGE_LIMIT;
    }

    @Override
    public Duration editWindow() {
        return EDIT_WINDOW;
    }

    @Override
    public int maxSelectOptions() {
        return MAX_SELECT_OPTIONS;
    }

    @Override
    public Mono<String> openThread(String parentChannelId, String title, Optional<String> fromMessageId) {
        long parent = Long.parseUnsignedLong(parentChannelId);
        return fromMessageId
                .map(message -> rest.getChannelService().startThreadWithMessage(parent,
                        Long.parseUnsignedLong(message), StartThreadFromMessageRequest.builder().name(title)
                                .autoArchiveDuration(AUTO_ARCHIVE_MINUTES).build()))
                .orElseGet(() -> rest.getChannelService().startThreadWithoutMessage(parent,
                        StartThreadWithoutMessageRequest.builder().name(title).type(PUBLIC_THREAD)
                                .autoArchiveDuration(AUTO_ARCHIVE_MINUTES).build()))
                .map(thread -> thread.id().asString());
    }

    @Override
    public Mono<String> post(String channelId, OutgoingMessage message) {
        MessageCreateRequest request = MessageCreateRequest.builder()
                .content(message.text())
                .components(components(message.rows()))
                .allowedMentions(NO_PINGS)
                .build();
        MultipartRequest<MessageCreateRequest> multipart = MultipartRequest.ofRequestAndFiles(request,
                message.files().stream()
                        .map(f -> Tuples.of(f.fileName(), (java.io.InputStream) new ByteArrayInputStream(f.content())))
                        .toList());
        return rest.getChannelService().createMessage(Long.parseUnsignedLong(channelId), multipart)
                .map(data -> data.id().asString());
    }

    @Override
    public Mono<String> postEmbed(String channelId, Embed embed, List<ComponentRow> rows) {
        discord4j.core.spec.EmbedCreateSpec.Builder spec = discord4j.core.spec.EmbedCreateSpec.builder()
                .title(embed.title());
        embed.description().ifPresent(spec::description);
        embed.fields().forEach(f -> spec.addField(f.name(), f.value(), true));
        MessageCreateRequest request = MessageCreateRequest.builder()
                .embeds(List.of(spec.build().asRequest()))
                .components(components(rows))
                .allowedMentions(NO_PINGS)
                .build();
        return rest.getChannelService().createMessage(Long.parseUnsignedLong(channelId),
                        MultipartRequest.ofRequest(request))
                .map(data -> data.id().asString());
    }

    @Override
    public Mono<Void> editSlot(String channelId) {
        return pacer.slot(channelId);
    }

    @Override
    public Mono<String> edit(String channelId, String messageId, OutgoingMessage message) {
        MessageEditRequest request = MessageEditRequest.builder()
                .content(Possible.of(Optional.of(message.text())))
                .components(Possible.of(Optional.of(components(message.rows()))))
                .allowedMentions(Possible.of(Optional.of(NO_PINGS)))
                .build();
        return rest.getChannelService().editMessage(Long.parseUnsignedLong(channelId),
                        Long.parseUnsignedLong(messageId), MultipartRequest.ofRequest(request))
                .thenReturn(messageId)
                .onErrorResume(ClientException.class, e -> {
                    // A 4xx that Discord4J does not retry (e.g. 30046 on an old message): the text must not be
                    // lost, so it goes out as a new message.
                    log.atWarn().addKeyValue("thread", channelId)
                            .log("edit of {} failed ({}); posting the text anew", messageId, e.getStatus().code());
                    return post(channelId, message);
                });
    }

    @Override
    public Mono<Void> react(String channelId, String messageId, String emoji) {
        return rest.getChannelService().createReaction(Long.parseUnsignedLong(channelId),
                Long.parseUnsignedLong(messageId), emoji); // Discord4J encodes the path itself
    }

    @Override
    public Mono<Void> unreact(String channelId, String messageId, String emoji) {
        return rest.getChannelService().deleteOwnReaction(Long.parseUnsignedLong(channelId),
                Long.parseUnsignedLong(messageId), emoji); // Discord4J encodes the path itself
    }

    static List<ComponentData> components(List<ComponentRow> rows) {
        return rows.stream().map(DiscordChat::row).map(LayoutComponent::getData).toList();
    }

    static ActionRow row(ComponentRow row) {
        return switch (row) {
            case ComponentRow.Buttons b -> ActionRow.of(b.buttons().stream().map(DiscordChat::button).toList());
            case ComponentRow.Select s -> ActionRow.of(SelectMenu.of(s.customId(), s.options().stream()
                            .map(o -> o.description().isBlank() ? SelectMenu.Option.of(o.label(), o.value())
                                    : SelectMenu.Option.of(o.label(), o.value()).withDescription(o.description()))
                            .toList())
                    .withPlaceholder(s.placeholder())
                    .withMaxValues(Math.max(1, s.maxValues())));
        };
    }

    private static discord4j.core.object.component.Button button(ChatPlatform.Button b) {
        discord4j.core.object.component.Button button = switch (b.style()) {
            case PRIMARY -> discord4j.core.object.component.Button.primary(b.customId(), b.label());
            case SECONDARY -> discord4j.core.object.component.Button.secondary(b.customId(), b.label());
            case SUCCESS -> discord4j.core.object.component.Button.success(b.customId(), b.label());
            case DANGER -> discord4j.core.object.component.Button.danger(b.customId(), b.label());
        };
        return button.disabled(b.disabled());
    }
}
