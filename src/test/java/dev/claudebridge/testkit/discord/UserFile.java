package dev.claudebridge.testkit.discord;

/** A file a user attaches to a message ({@code FakeDiscord.userMessage} with files). */
public record UserFile(String filename, String contentType, byte[] data) {
}
