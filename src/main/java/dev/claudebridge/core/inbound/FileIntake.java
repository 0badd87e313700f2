package dev.claudebridge.core.inbound;

import dev.claudebridge.core.port.Markup;
import dev.claudebridge.core.port.SessionFiles;
import dev.claudebridge.core.session.Images;
import dev.claudebridge.core.session.Texts;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A message's attached files into a session's working directory ({@code attachments/}), all or none: the limits are
 * checked on what the platform says before anything is fetched, a download is cut off at the limit whatever the
 * platform said, and when one file cannot be fetched or saved the ones saved before it are deleted. Images the Messages
 * API accepts are also shown to the model; every file is named in the prompt by its path.
 */
final class FileIntake {

    private static final Logger log = LoggerFactory.getLogger(FileIntake.class);
    /** Longest file name kept (the extension stays). */
    static final int MAX_NAME = 100;

    private final SessionFiles files;
    private final long maxBytes;
    private final int maxCount;
    private final Markup markup;

    FileIntake(SessionFiles files, long maxBytes, int maxCount, Markup markup) {
        this.files = files;
        this.maxBytes = maxBytes;
        this.maxCount = maxCount;
        this.markup = markup;
    }

    /**
     * A file saved: where, how large, its type when it is an image the API accepts, and whether it is shown to the
     * model (not when it is over {@link Images#MAX_BYTES}).
     */
    record Saved(String path, long size, Optional<String> imageType, boolean shown) {
    }

    /** The message is not taken; the message says why (nothing of it was kept). */
    static final class NotTaken extends RuntimeException {
        NotTaken(String sentence) {
            super(sentence, null, false, false);
        }
    }

    /** The sentence refusing a message over a limit, judged on what the platform says: nothing is fetched then. */
    Optional<String> refusal(List<IncomingFile> attached) {
        if (attached.size() > maxCount) {
            return Optional.of(Texts.tooManyFiles(attached.size(), maxCount));
        }
        return attached.stream().filter(f -> f.size() > maxBytes).findFirst()
                .map(f -> Texts.fileTooLarge(markup, fileName(f.name()), f.size(), maxBytes));
    }

    /**
     * Fetches and saves each file in turn (one in memory at a time); fails with {@link NotTaken} after deleting what
     * it saved when one cannot be fetched or saved.
     */
    Mono<List<Saved>> take(SessionFiles.Place place, List<IncomingFile> attached) {
        List<Saved> saved = new ArrayList<>();
        return Flux.fromIterable(attached)
                .concatMap(file -> take(place, file).doOnNext(saved::add))
                .then(Mono.fromCallable(() -> List.copyOf(saved)))
                .onErrorResume(e -> Flux.fromIterable(List.copyOf(saved))
                        .concatMap(s -> files.delete(place, s.path()).onErrorResume(d -> {
                            log.atWarn().addKeyValue("thread", place.threadId())
                                    .log("{} of a message not taken stays: {}", s.path(), d.toString());
                            return Mono.empty();
                        }))
                        .then(Mono.error(e)));
    }

    private Mono<Saved> take(SessionFiles.Place place, IncomingFile file) {
        String name = fileName(file.name());
        return file.download().bytes(maxBytes)
                .onErrorMap(e -> !(e instanceof NotTaken), e -> new NotTaken(e instanceof IncomingFile.TooLarge large
                        ? Texts.fileTooLarge(markup, name, Math.max(file.size(), large.received()), maxBytes)
                        : Texts.fileNotSaved(markup, name, "it could not be fetched: " + reason(e))))
                .flatMap(bytes -> {
                    Optional<String> image = Images.mediaType(bytes);
                    String fitting = image.map(type -> Images.withExtension(name, type)).orElse(name);
                    boolean shown = image.isPresent() && bytes.length <= Images.MAX_BYTES;
                    return files.saveAttachment(place, fitting, bytes)
                            .onErrorMap(e -> new NotTaken(Texts.fileNotSaved(markup, name, reason(e))))
                            .map(path -> new Saved(path, bytes.length, image, shown));
                });
    }

    private static String reason(Throwable e) {
        return e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** The paths of the images to show the model. */
    static List<String> images(List<Saved> saved) {
        return saved.stream().filter(Saved::shown).map(Saved::path).toList();
    }

    /**
     * The prompt the model reads: the user's text, then every file by its path in the working directory (the only
     * way it learns of files that are not images, and where it finds an image again later).
     */
    static String promptText(String userText, List<Saved> saved) {
        StringBuilder text = new StringBuilder(userText.strip());
        if (!text.isEmpty()) {
            text.append("\n\n");
        }
        text.append(saved.size() == 1 ? "The user attached a file, saved in the working directory:"
                : "The user attached " + saved.size() + " files, saved in the working directory:");
        for (Saved s : saved) {
            text.append("\n- ").append(s.path()).append(" (").append(Texts.size(s.size()));
            s.imageType().ifPresent(type -> text.append(", ").append(type).append(s.shown()
                    ? ", also shown to you as an image"
                    : ", too large to be shown to you as an image"));
            text.append(")");
        }
        return text.toString();
    }

    /**
     * A name fit for a file in {@code attachments/}: the last segment of what the platform gave (no directories), no
     * control or shell-special characters, no leading dots or dashes (hidden files, options), at most
     * {@link #MAX_NAME} characters with the extension kept; {@code file} when nothing is left.
     */
    static String fileName(String raw) {
        String name = raw == null ? "" : raw;
        int slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
        name = name.substring(slash + 1);
        StringBuilder clean = new StringBuilder();
        name.codePoints().forEach(c -> clean.appendCodePoint(Character.isLetterOrDigit(c) || c == '.' || c == '-'
                || c == '_' ? c : '_'));
        String out = clean.toString().replaceAll("_{2,}", "_").replaceAll("^[.\\-_]+", "");
        if (out.codePointCount(0, out.length()) > MAX_NAME) {
            int dot = out.lastIndexOf('.');
            String ext = dot > 0 && out.length() - dot <= 16 ? out.substring(dot) : "";
            out = out.substring(0, out.offsetByCodePoints(0, MAX_NAME - ext.length())) + ext;
        }
        return out.isEmpty() || out.chars().allMatch(c -> c == '.') ? "file" : out;
    }
}
