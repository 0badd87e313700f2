package dev.claudebridge.testkit.mattermost;

import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Mattermost's ids: 26 characters of a base-32 alphabet (lower-case letters and digits), as {@code model.NewId}
 * makes them from 16 random bytes. Tokens have the same shape.
 */
public final class MmIds {
    private static final char[] ALPHABET = "ybndrfg8ejkmcpqxot1uwisza345h769".toCharArray();
    private static final Pattern VALID = Pattern.compile("[a-z0-9]{26}");

    private MmIds() {
    }

    /** A new random id. */
    public static String next() {
        byte[] bytes = new byte[16];
        // Not SecureRandom: it reads /dev/urandom, a blocking call on an event loop (BlockHound). A fake needs
        // unique ids, not secret ones.
        ThreadLocalRandom.current().nextBytes(bytes);
        StringBuilder out = new StringBuilder(26);
        int buffer = 0;
        int bits = 0;
        for (byte b : bytes) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                out.append(ALPHABET[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        out.append(ALPHABET[(buffer << (5 - bits)) & 31]);
        return out.toString();
    }

    /** {@code model.IsValidId}: 26 lower-case letters or digits. */
    public static boolean valid(String id) {
        return id != null && VALID.matcher(id).matches();
    }
}
