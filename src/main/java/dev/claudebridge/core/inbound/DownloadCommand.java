package dev.claudebridge.core.inbound;

import dev.claudebridge.core.port.ChatPlatform;
import dev.claudebridge.core.port.ChatPlatform.OutgoingMessage;
import dev.claudebridge.core.port.Markup;
import dev.claudebridge.core.port.SessionFiles;
import dev.claudebridge.core.session.Texts;
import dev.claudebridge.core.session.ThreadSession;
import java.util.List;
import java.util.Optional;
import reactor.core.publisher.Mono;

/**
 * /download path, in a session's thread, by its owner: a file from the session's working directory (and only from
 * there: a path that leads out of it, by {@code ..} or a link, is refused) attached in the thread, unless it is over
 * the platform's upload limit, which the answer says with the file's size.
 */
final class DownloadCommand implements Command {

    static final String PATH = "path";

    @Override
    public String name() {
        return "download";
    }

    @Override
    public String description() {
        return "Attach a file from this session's working directory";
    }

    @Override
    public List<Option> options() {
        return List.of(new Option(PATH, "The file's path, relative to the session's working directory"));
    }

    @Override
    public String helpLine(Markup m) {
        return m.code(m.command("download") + " path") + ": a file from this session's working directory, attached"
                + " in its thread";
    }

    @Override
    public Answer run(CommandCall call, Bridge bridge) {
        Optional<ThreadSession> session = bridge.session(call.channelId());
        if (session.isEmpty()) {
            return Answer.refuse(Texts.downloadInThread(bridge.markup()));
        }
        if (!session.get().identity().ownerId().equals(call.actor().userId())) {
            return Answer.refuse(Texts.NOT_OWNER);
        }
        Optional<String> path = call.option(PATH);
        if (path.isEmpty()) {
            return Answer.refuse(Texts.downloadUsage(bridge.markup()));
        }
        return new Answer.Later(true, attach(bridge, session.get().identity(), path.get()));
    }

    /** Reads the file (at most the upload limit) and posts it in the thread; the reply says what became of it. */
    private static Mono<Reply> attach(Bridge bridge, ThreadSession.Identity id, String path) {
        ChatPlatform chat = bridge.chat();
        Markup m = chat.markup();
        long limit = chat.uploadLimit();
        return bridge.sessions().files()
                .read(new SessionFiles.Place(id.platform(), id.threadId(), id.workDir()), path, limit)
                .flatMap(read -> switch (read) {
                    case SessionFiles.FileRead.Found found -> chat.post(id.threadId(), new OutgoingMessage(
                                    Texts.downloaded(m, found.path(), found.content().length), List.of(),
                                    List.of(new ChatPlatform.Attachment(fileName(found.path()), found.content()))))
                            .thenReturn(Reply.ephemeral(Texts.DOWNLOADED));
                    case SessionFiles.FileRead.TooLarge large -> Mono.just(Reply.ephemeral(
                            Texts.downloadTooLarge(m, large.path(), large.size(), limit)));
                    case SessionFiles.FileRead.Refused refused -> Mono.just(Reply.ephemeral(
                            Texts.downloadRefused(refused.why())));
                })
                .onErrorResume(e -> Mono.just(Reply.ephemeral(Texts.downloadRefused(
                        e.getMessage() == null ? e.toString() : e.getMessage()))));
    }

    private static String fileName(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? path : path.substring(slash + 1);
    }
}
