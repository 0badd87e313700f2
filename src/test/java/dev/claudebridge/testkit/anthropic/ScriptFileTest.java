package dev.claudebridge.testkit.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claudebridge.testkit.Block;
import dev.claudebridge.testkit.FakeAnthropicApi;
import dev.claudebridge.testkit.Match;
import dev.claudebridge.testkit.Reply;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class ScriptFileTest {

    private static final Path EXAMPLE = Path.of("src/test/resources/fake-anthropic/example-script.json");

    @Test
    void theExampleScriptParsesIntoRules() throws Exception {
        List<ScriptFile.Rule> rules = ScriptFile.read(EXAMPLE);
        assertThat(rules).hasSize(8);
        assertThat(rules.get(0).match()).isEqualTo(Match.userTextContains("hello"));
        assertThat(rules.get(0).reply().tokensPerSecond()).isEqualTo(20);
        assertThat(rules.get(1).reply().blocks()).containsExactly(
                Block.thinking("The user wants a command run. "),
                Block.text("I will run a command."),
                Block.toolUse("Bash", Map.of("command", "touch fake-file && echo made", "description", "Create a file")));
        assertThat(rules.get(2).match()).isEqualTo(Match.toolResultContains("Bash", "made"));
        assertThat(rules.get(4).reply().errorStatus()).isEqualTo(529);
        assertThat(rules.get(4).reply().times()).isEqualTo(1);
        assertThat(rules.get(6).reply().errorMessage()).isEqualTo("Internal server error (scripted)");
        assertThat(rules.get(7).match()).isEqualTo(Match.any());
    }

    @Test
    void aScriptedFakeAnswersByItsRules() throws Exception {
        try (FakeAnthropicApi api = FakeAnthropicApi.start().script(EXAMPLE)) {
            assertThat(post(api, "flaky please")).isEqualTo(529);
            assertThat(post(api, "flaky please")).isEqualTo(200);
            assertThat(post(api, "fail")).isEqualTo(500);
            assertThat(post(api, "anything")).isEqualTo(200);
            assertThat(api.requests()).extracting(r -> r.rule().split(" ")[1]).containsExactly("5", "6", "7", "8");
        }
    }

    @Test
    void mistakesNameTheRule() {
        assertThatThrownBy(() -> ScriptFile.parse("[{\"match\":\"any\",\"reply\":{\"text\":\"a\"}},{\"match\":{\"nope\":1},\"reply\":{\"text\":\"b\"}}]"))
                .hasMessageStartingWith("rule 2: unknown match");
        assertThatThrownBy(() -> ScriptFile.parse("[{\"reply\":{}}]")).hasMessageContaining("rule 1");
    }

    private static int post(FakeAnthropicApi api, String prompt) {
        return HttpCalls.post(api.baseUrl(), "/v1/messages", HttpCalls.messagesBody(prompt, true)).status();
    }
}
