package dev.claudebridge.testkit.discord;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small multipart/form-data reader for Discord's uploads: a {@code payload_json} part and {@code files[n]}
 * parts. Bytes are handled as ISO-8859-1 text so that offsets map one to one onto the raw bytes.
 */
final class Multipart {
    record Part(String name, String filename, String contentType, byte[] data) {
    }

    private static final Pattern BOUNDARY = Pattern.compile("boundary=\"?([^\";]+)\"?");
    private static final Pattern NAME = Pattern.compile("[; ]name=\"([^\"]*)\"");
    private static final Pattern FILENAME = Pattern.compile("filename=\"([^\"]*)\"");

    private Multipart() {
    }

    static boolean isMultipart(String contentType) {
        return contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data");
    }

    static List<Part> parse(String contentType, byte[] body) {
        Matcher boundaryMatch = BOUNDARY.matcher(contentType);
        if (!boundaryMatch.find()) {
            throw DiscordError.of(400, 50035, "Invalid Form Body");
        }
        String delimiter = "--" + boundaryMatch.group(1);
        String raw = new String(body, StandardCharsets.ISO_8859_1);
        List<Part> parts = new ArrayList<>();
        int at = raw.indexOf(delimiter);
        while (at >= 0) {
            int start = at + delimiter.length();
            if (raw.startsWith("--", start)) {
                break;
            }
            int headersEnd = raw.indexOf("\r\n\r\n", start);
            int next = raw.indexOf("\r\n" + delimiter, headersEnd);
            if (headersEnd < 0 || next < 0) {
                break;
            }
            parts.add(part(raw.substring(start, headersEnd), raw.substring(headersEnd + 4, next)));
            at = next + 2;
        }
        return parts;
    }

    private static Part part(String headers, String content) {
        String name = null;
        String filename = null;
        String type = "application/octet-stream";
        for (String line : headers.split("\r\n")) {
            String lower = line.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-disposition:")) {
                Matcher nameMatch = NAME.matcher(line);
                name = nameMatch.find() ? nameMatch.group(1) : null;
                Matcher fileMatch = FILENAME.matcher(line);
                filename = fileMatch.find() ? new String(fileMatch.group(1).getBytes(StandardCharsets.ISO_8859_1),
                        StandardCharsets.UTF_8) : null;
            } else if (lower.startsWith("content-type:")) {
                type = line.substring("content-type:".length()).trim();
            }
        }
        return new Part(name, filename, type, content.getBytes(StandardCharsets.ISO_8859_1));
    }
}
