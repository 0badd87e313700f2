package dev.claudebridge.testkit.mattermost;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudebridge.testkit.FakeMattermost;
import org.junit.jupiter.api.Test;

/**
 * The fake's notification oracle (what the contract's "pings nobody" relies on), which the official client cannot
 * see: the words the server would notify for, outside code, and nothing for an escaped {@code @}.
 */
final class FakeMattermostTest {

    @Test
    void mentionsOutsideCodeAreRecordedAsPingsAndEscapedOnesAreNot() {
        try (FakeMattermost mm = FakeMattermost.start()) {
            String channel = mm.townSquare().id();
            String loud = mm.post(mm.owner(), channel, "@channel, @Friend. and `@here`\n```\n@all\n```\nmail a@b.io");
            String quiet = mm.post(mm.owner(), channel, "@\u200Bchannel @\u200Bfriend ＠all @nobody");

            assertThat(mm.pings()).filteredOn(p -> p.postId().equals(loud)).extracting(Ping::mention)
                    .containsExactly("@channel", "@friend");
            assertThat(mm.pings()).filteredOn(p -> p.postId().equals(quiet)).isEmpty();
        }
    }
}
