package dev.claudebridge.core.session;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The image formats the Messages API accepts (PNG, JPEG, GIF, WebP), told by a file's first bytes: never by its name
 * or the type a chat platform declares, since the API refuses an image whose bytes do not match its media type and
 * a turn would fail on it.
 */
public final class Images {

    /**
     * The largest image shown to the model: the API takes at most 5 MB of base64 per image, which 3.75 MiB of bytes
     * become. A larger image is still saved, as a file only.
     */
    public static final long MAX_BYTES = (5L << 20) / 4 * 3;

    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final byte[] JPEG = {(byte) 0xff, (byte) 0xd8, (byte) 0xff};
    private static final byte[] GIF87 = "GIF87a".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] GIF89 = "GIF89a".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RIFF = "RIFF".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] WEBP = "WEBP".getBytes(StandardCharsets.US_ASCII);

    private Images() {
    }

    /** The media type of an image the API accepts, from its bytes; empty for anything else. */
    public static Optional<String> mediaType(byte[] content) {
        if (startsWith(content, 0, PNG)) {
            return Optional.of("image/png");
        }
        if (startsWith(content, 0, JPEG)) {
            return Optional.of("image/jpeg");
        }
        if (startsWith(content, 0, GIF87) || startsWith(content, 0, GIF89)) {
            return Optional.of("image/gif");
        }
        if (startsWith(content, 0, RIFF) && startsWith(content, 8, WEBP)) {
            return Optional.of("image/webp");
        }
        return Optional.empty();
    }

    /**
     * {@code name} with an extension that fits the image's type (a pasted screenshot often has none, or a wrong one),
     * so the model's tools and the user's viewers take the file for what it is.
     */
    public static String withExtension(String name, String mediaType) {
        String lower = name.toLowerCase(Locale.ROOT);
        String[] fitting = switch (mediaType) {
            case "image/png" -> new String[] {".png"};
            case "image/jpeg" -> new String[] {".jpg", ".jpeg"};
            case "image/gif" -> new String[] {".gif"};
            case "image/webp" -> new String[] {".webp"};
            default -> new String[0];
        };
        if (fitting.length == 0 || Arrays.stream(fitting).anyMatch(lower::endsWith)) {
            return name;
        }
        return name + fitting[0];
    }

    private static boolean startsWith(byte[] content, int offset, byte[] prefix) {
        if (content.length < offset + prefix.length) {
            return false;
        }
        return Arrays.equals(content, offset, offset + prefix.length, prefix, 0, prefix.length);
    }
}
