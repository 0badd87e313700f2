package dev.claudebridge.testkit.discord;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * Discord's CDN for attachments: {@code GET /attachments/{channel}/{attachment}/{filename}?ex=…&is=…&hm=…} gives the
 * file's bytes with its content type and length. Since 2024 the CDN refuses a URL without its signature (the query),
 * with 404 and the text "This content is no longer available."; no token is needed (nor expected: a bot must not
 * send its token to the CDN, so the fake refuses a request that carries an {@code Authorization} header).
 */
final class Cdn {
    static final String PREFIX = "/attachments/";
    static final String EXPIRES = "7fffffff";
    static final String ISSUED = "66000000";

    private final DiscordState state;

    Cdn(DiscordState state) {
        this.state = state;
    }

    static boolean handles(String path) {
        return path.startsWith(PREFIX);
    }

    /** The fake's signature of an attachment: anything the bot cannot make up, checked on every request. */
    static String signature(String attachmentId) {
        return HexFormat.of().toHexDigits(("fake-cdn:" + attachmentId).hashCode());
    }

    Mono<Void> serve(HttpServerRequest request, HttpServerResponse response) {
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        String[] segments = uri.rawPath().substring(PREFIX.length()).split("/");
        Map<String, List<String>> query = uri.parameters();
        if (request.requestHeaders().contains("Authorization")) {
            return response.status(400).sendString(Mono.just("a token was sent to the CDN")).then();
        }
        Optional<Attachment> file = segments.length == 3 ? state.attachment(segments[1]) : Optional.empty();
        boolean signed = file.isPresent() && query.containsKey("ex") && query.containsKey("is")
                && List.of(signature(file.get().id())).equals(query.get("hm"));
        if (!signed) {
            return response.status(404).sendString(Mono.just("This content is no longer available.")).then();
        }
        Attachment a = file.get();
        return response.status(200)
                .header("Content-Type", a.contentType() == null ? "application/octet-stream" : a.contentType())
                .header("Content-Length", String.valueOf(a.size()))
                .sendByteArray(Mono.just(a.data())).then();
    }
}
