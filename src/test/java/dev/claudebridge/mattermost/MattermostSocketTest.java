package dev.claudebridge.mattermost;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudebridge.testkit.FakeMattermost;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.Disposable;
import reactor.netty.http.client.HttpClient;

/** The WebSocket client against FakeMattermost: events, a resumed reconnect, and a reconnect that lost events. */
@Timeout(60)
final class MattermostSocketTest {

    @Test
    void postsMadeWhileTheSocketWasDownArriveOnceAndAForgottenConnectionIsAGap() {
        try (FakeMattermost mm = FakeMattermost.start()) {
            String dm = mm.directChannel(mm.bot(), mm.owner()).id();
            List<MattermostSocket.Signal> signals = new CopyOnWriteArrayList<>();
            Disposable socket = new MattermostSocket(HttpClient.create(), mm.url(), mm.bot().token()).signals()
                    .subscribe(signals::add);
            try {
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> hellos(signals) == 1);
                String first = mm.post(mm.owner(), dm, "first");
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> posted(signals).contains(first));

                assertThat(mm.dropWebSockets(mm.bot())).isEqualTo(1);
                String whileDown = mm.post(mm.owner(), dm, "while the socket was down");
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> posted(signals).contains(whileDown));
                assertThat(posted(signals)).containsExactly(first, whileDown);
                assertThat(hellos(signals)).as("resumed: no new hello").isEqualTo(1);
                assertThat(signals).noneMatch(s -> s instanceof MattermostSocket.Gap);

                mm.dropWebSockets(mm.bot());
                mm.forgetDroppedConnections();
                String lost = mm.post(mm.owner(), dm, "lost with the connection");
                Awaitility.await().atMost(Duration.ofSeconds(10))
                        .until(() -> signals.stream().anyMatch(s -> s instanceof MattermostSocket.Gap));
                String after = mm.post(mm.owner(), dm, "after the gap");
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> posted(signals).contains(after));
                assertThat(posted(signals)).as("the lost post is for the REST catch-up").doesNotContain(lost)
                        .containsExactly(first, whileDown, after);
                assertThat(hellos(signals)).isEqualTo(2);
            } finally {
                socket.dispose();
            }
        }
    }

    private static long hellos(List<MattermostSocket.Signal> signals) {
        return signals.stream().filter(s -> s instanceof MattermostSocket.Event e && e.type().equals("hello")).count();
    }

    private static List<String> posted(List<MattermostSocket.Signal> signals) {
        return signals.stream().filter(s -> s instanceof MattermostSocket.Event e && e.type().equals("posted"))
                .map(s -> ((MattermostSocket.Event) s).post().path("id").asText()).toList();
    }
}
