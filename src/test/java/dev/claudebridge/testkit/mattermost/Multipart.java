package dev.claudebridge.testkit.mattermost;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads a multipart/form-data body ({@code POST /files}): fields and file parts, bytes kept exactly. */
final class Multipart {
    record Part(String name, String filename, String contentType, byte[] data) {
        String text() {
            return new String(data, StandardCharsets.UTF_8);
        }
    }

    private static final Pattern BOUNDARY = Pattern.compile("boundary=\"?([^\";]+)\"?");
    private static final Pattern NAME = Pattern.compile("[; ]name=\"([^\"]*)\"");
    private static final Pattern FILENAME = Pattern.compile("filename=\"([^\"]*)\"");

    private Multipart() {
    }

    static List<Part> parse(String contentType, byte[] body) {
        Matcher b = BOUNDARY.matcher(contentType == null ? "" : contentType);
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data") || !b.find()) {
            throw MmError.badRequest("uploadFiles", "api.file.upload_file.incorrect_number_of_files.app_error",
                    "Unable to upload files. Incorrect number of files specified.");
        }
        // ISO-8859-1 maps each byte to one char, so offsets in the text are offsets in the bytes.
        String raw = new String(body, StandardCharsets.ISO_8859_1);
        String delimiter = "--" + b.group(1);
        List<Part> parts = new ArrayList<>();
        int at = raw.indexOf(delimiter);
        while (at >= 0) {
            int start = at + delimiter.length();
            if (raw.startsWith("--", start)) {
                break;
            }
            int headersEnd = raw.indexOf("\r\n\r\n", start);
            int next = headersEnd < 0 ? -1 : raw.indexOf("\r\n" + delimiter, headersEnd + 4);
            if (next < 0) {
                break;
            }
            parts.add(part(raw.substring(start, headersEnd), raw.substring(headersEnd + 4, next)));
            at = next + 2;
        }
        return parts;
    }

    private static Part part(String headers, String content) {
        String name = "";
        String filename = null;
        String type = "application/octet-stream";
        for (String line : headers.split("\r\n")) {
            String lower = line.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-disposition:")) {
                Matcher n = NAME.matcher(line);
                name = n.find() ? n.group(1) : "";
                Matcher f = FILENAME.matcher(line);
                filename = f.find()
                        ? new String(f.group(1).getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8) : null;
            } else if (lower.startsWith("content-type:")) {
                type = line.substring("content-type:".length()).trim();
            }
        }
        return new Part(name, filename, type, content.getBytes(StandardCharsets.ISO_8859_1));
    }
}
