package dev.claudebridge.discord;

import discord4j.core.event.domain.interaction.ChatInputAutoCompleteEvent;
import discord4j.core.event.domain.interaction.ChatInputInteractionEvent;
import discord4j.core.event.domain.interaction.ComponentInteractionEvent;
import discord4j.core.event.domain.message.MessageCreateEvent;
import discord4j.core.event.domain.thread.ThreadChannelUpdateEvent;
import java.util.List;

/** The gateway events the bot acts on, as one type, so they can flow as one stream grouped by key. */
sealed interface DiscordInbound {

    /** The channel it happened in (a thread for a session's events), and who did it (absent for an archive). */
    String channelId();

    String userId();

    record Message(MessageCreateEvent event) implements DiscordInbound {
        @Override
        public String channelId() {
            return event.getMessage().getChannelId().asString();
        }

        @Override
        public String userId() {
            return event.getMessage().getAuthor().map(a -> a.getId().asString()).orElse("");
        }
    }

    record Command(ChatInputInteractionEvent event) implements DiscordInbound {
        @Override
        public String channelId() {
            return event.getInteraction().getChannelId().asString();
        }

        @Override
        public String userId() {
            return event.getInteraction().getUser().getId().asString();
        }
    }

    /** Someone types in an autocomplete option: the suggestions are due within Discord's 3 s. */
    record Autocomplete(ChatInputAutoCompleteEvent event) implements DiscordInbound {
        @Override
        public String channelId() {
            return event.getInteraction().getChannelId().asString();
        }

        @Override
        public String userId() {
            return event.getInteraction().getUser().getId().asString();
        }
    }

    record Click(ComponentInteractionEvent event, List<String> values) implements DiscordInbound {
        @Override
        public String channelId() {
            return event.getInteraction().getChannelId().asString();
        }

        @Override
        public String userId() {
            return event.getInteraction().getUser().getId().asString();
        }
    }

    record Archive(ThreadChannelUpdateEvent event) implements DiscordInbound {
        @Override
        public String channelId() {
            return event.getChannel().getId().asString();
        }

        @Override
        public String userId() {
            return "";
        }
    }
}
