package dev.claudebridge.mattermost;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * Mattermost reacts with emoji names ({@code white_check_mark}), never with the characters: the server refuses a
 * name outside {@code [a-zA-Z0-9+_-]}. The core reacts with characters, so the ones it uses, and the ones a
 * reaction answer needs, are named here; a name is passed through.
 */
final class Emoji {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9+_-]{1,64}");
    private static final Map<String, String> NAMES = Map.ofEntries(
            Map.entry("⏳", "hourglass_flowing_sand"),
            Map.entry("⌛", "hourglass"),
            Map.entry("⚠", "warning"),
            Map.entry("✅", "white_check_mark"),
            Map.entry("❌", "x"),
            Map.entry("👍", "+1"),
            Map.entry("👎", "-1"),
            Map.entry("⏹", "black_square_for_stop"),
            Map.entry("🛑", "octagonal_sign"),
            Map.entry("🔁", "repeat"),
            Map.entry("✨", "sparkles"),
            Map.entry("🎉", "tada"),
            Map.entry("💬", "speech_balloon"),
            Map.entry("1️⃣", "one"), Map.entry("2️⃣", "two"), Map.entry("3️⃣", "three"),
            Map.entry("4️⃣", "four"), Map.entry("5️⃣", "five"), Map.entry("6️⃣", "six"),
            Map.entry("7️⃣", "seven"), Map.entry("8️⃣", "eight"), Map.entry("9️⃣", "nine"),
            Map.entry("🔟", "keycap_ten"));

    private Emoji() {
    }

    /** The Mattermost name of an emoji; throws for a character this table does not know. */
    static String name(String emoji) {
        if (NAME.matcher(emoji).matches()) {
            return emoji;
        }
        String name = NAMES.get(emoji);
        if (name == null) {
            // The variation selector (U+FE0F) only asks for the colourful form; keycaps keep it in the table.
            name = NAMES.get(emoji.replace("\uFE0F", ""));
        }
        if (name == null) {
            throw new IllegalArgumentException("no Mattermost name for emoji " + emoji);
        }
        return name;
    }
}
