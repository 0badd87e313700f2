package dev.claudebridge.testkit.discord;

import java.nio.charset.StandardCharsets;

/** A file uploaded with a message (multipart {@code files[n]}), kept with its bytes. */
public record Attachment(String id, String filename, String contentType, byte[] data) {

    public int size() {
        return data.length;
    }

    /** The bytes as UTF-8 text, for text attachments such as long tool inputs. */
    public String text() {
        return new String(data, StandardCharsets.UTF_8);
    }
}
