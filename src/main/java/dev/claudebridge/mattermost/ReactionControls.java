package dev.claudebridge.mattermost;

import dev.claudebridge.core.port.ChatPlatform.Button;
import dev.claudebridge.core.port.ChatPlatform.ComponentRow;
import dev.claudebridge.core.port.ChatPlatform.Option;
import dev.claudebridge.core.session.ComponentIds;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Buttons and menus as reactions, for a bot without a callback URL (the Mattermost server could not reach a button's
 * integration). Each control of a post gets an emoji: Allow {@code +1}, Allow for this session
 * {@code white_check_mark}, Deny {@code -1}, Interrupt {@code stop_button}, every other button and every menu option
 * a number ({@code one} ... {@code keycap_ten}, in order over the whole post); the post ends with a legend that says
 * which reaction does what. What each reaction means is kept per post (in memory: a restart ends every open
 * request anyway), so a reaction becomes the click the core knows.
 */
final class ReactionControls {
    /** Posts whose controls are remembered at most; the oldest are forgotten first. */
    static final int MAX_POSTS = 2000;
    static final List<String> NUMBERS = List.of("one", "two", "three", "four", "five", "six", "seven", "eight",
            "nine", "keycap_ten");
    static final String INTERRUPT = "stop_button";

    /** What a reaction means: the control's custom id and, for a menu, the option's value. */
    record Choice(String customId, List<String> values) {
        Choice {
            values = List.copyOf(values);
        }
    }

    /** The legend to append, the reactions in order, and whether the bot should add them itself. */
    record Legend(String text, Map<String, Choice> choices, boolean offer) {
    }

    /** A post's controls: its text without the legend, and the choices. */
    private record Controls(String text, Map<String, Choice> choices) {
    }

    private final Map<String, Controls> byPost = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Controls> eldest) {
            return size() > MAX_POSTS;
        }
    };

    /**
     * The legend for some rows: empty when none of them can be answered by reaction. The bot offers the reactions
     * itself (so answering is one click) except on a live reply, whose only control is Interrupt and which is
     * edited many times.
     */
    static Optional<Legend> legend(List<ComponentRow> rows) {
        Map<String, Choice> choices = new LinkedHashMap<>();
        List<String> lines = new ArrayList<>();
        int number = 0;
        boolean onlyInterrupt = true;
        boolean cut = false;
        for (ComponentRow row : rows) {
            List<String> parts = new ArrayList<>();
            switch (row) {
                case ComponentRow.Buttons b -> {
                    for (Button button : b.buttons()) {
                        if (button.disabled()) {
                            continue;
                        }
                        Optional<String> emoji = meaning(button.customId());
                        if (emoji.isEmpty() || choices.containsKey(emoji.get())) {
                            if (number >= NUMBERS.size()) {
                                cut = true;
                                continue;
                            }
                            emoji = Optional.of(NUMBERS.get(number++));
                        }
                        onlyInterrupt &= emoji.get().equals(INTERRUPT);
                        choices.put(emoji.get(), new Choice(button.customId(), List.of()));
                        parts.add(":" + emoji.get() + ": " + button.label());
                    }
                }
                case ComponentRow.Select s -> {
                    onlyInterrupt = false;
                    for (Option option : s.options()) {
                        if (number >= NUMBERS.size()) {
                            cut = true;
                            break;
                        }
                        String emoji = NUMBERS.get(number++);
                        choices.put(emoji, new Choice(s.customId(), List.of(option.value())));
                        parts.add(":" + emoji + ": " + option.label());
                    }
                    if (!parts.isEmpty()) {
                        parts.set(0, s.placeholder() + (s.maxValues() > 1 ? " (one answer by reaction)" : "")
                                + ": " + parts.get(0));
                    }
                }
            }
            if (!parts.isEmpty()) {
                lines.add(String.join(" · ", parts));
            }
        }
        if (choices.isEmpty()) {
            return Optional.empty();
        }
        String text = "React to answer: " + String.join("\n", lines)
                + (cut ? "\n(more choices than reactions: the rest needs buttons, see MATTERMOST_CALLBACK_URL)" : "");
        return Optional.of(new Legend(text, choices, !onlyInterrupt));
    }

    /** The fixed emoji of a control whose meaning is known (permission answers, Interrupt). */
    private static Optional<String> meaning(String customId) {
        return ComponentIds.parse(customId).flatMap(id -> switch (id.kind()) {
            case ComponentIds.INTERRUPT -> Optional.of(INTERRUPT);
            case ComponentIds.PERMISSION -> switch (id.arg(1)) {
                case "a" -> Optional.of("+1");
                case "s" -> Optional.of("white_check_mark");
                case "d" -> Optional.of("-1");
                default -> Optional.empty();
            };
            default -> Optional.empty();
        });
    }

    /** The text with its legend below. */
    static String withLegend(String text, Legend legend) {
        return text.isEmpty() ? legend.text() : text + "\n\n" + legend.text();
    }

    synchronized void remember(String postId, String text, Legend legend) {
        byPost.put(postId, new Controls(text, Map.copyOf(legend.choices())));
    }

    /** What a reaction on a post means, if that post has controls and the emoji is one of them. */
    synchronized Optional<Choice> choice(String postId, String emoji) {
        Controls c = byPost.get(postId);
        return c == null ? Optional.empty() : Optional.ofNullable(c.choices().get(emoji));
    }

    /** Forgets a post's controls; gives its text without the legend, when it had controls. */
    synchronized Optional<String> forget(String postId) {
        return Optional.ofNullable(byPost.remove(postId)).map(Controls::text);
    }
}
