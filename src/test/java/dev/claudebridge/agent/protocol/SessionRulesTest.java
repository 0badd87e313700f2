package dev.claudebridge.agent.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which rule "Allow for this session" may add (what a prefix rule really allows is {@code ClaudeSessionTest}'s). */
final class SessionRulesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static Optional<String> bash(String command) {
        ObjectNode input = JSON.createObjectNode().put("command", command);
        return SessionRules.forCall("Bash", input).map(SessionRules.Rule::display);
    }

    @Test
    void aPlainProgramGetsAPrefixRuleOnItsFirstWord() {
        assertThat(bash("touch a.txt")).contains("Bash(touch:*)");
        assertThat(bash("  ls -la src ")).contains("Bash(ls:*)");
        assertThat(bash("rg --files")).contains("Bash(rg:*)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"bash -c 'rm -rf /'", "sh x.sh", "python3 -c 'print(1)'", "python3.12 x.py", "node x.js",
            "npx something", "env FOO=1 rm -rf x", "sudo ls", "xargs rm", "eval \"$X\"", "npm test", "make all",
            "git commit -m x", "find . -exec rm {} +", "awk 'BEGIN{system(\"id\")}'", "PYTHON3 x.py", "exec rm",
            "timeout 5 rm -rf x", "nohup x", "uvx tool", "cargo run", "docker run x", "ssh host id"})
    void aProgramThatCanRunAnythingGetsNone(String command) {
        assertThat(bash(command)).as(command).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "./run.sh", "/usr/bin/touch x", "FOO=1 touch x", "'touch' x", "$(id)",
            "`id`", "(touch x)", "{ touch x; }", "~/bin/x", "-rf"})
    void aFirstWordThatIsNotAPlainProgramNameGetsNone(String command) {
        assertThat(bash(command)).as(command).isEmpty();
    }

    @Test
    void otherToolsGetARuleForTheToolItselfNamedAsSuch() {
        assertThat(SessionRules.forCall("Write", JSON.createObjectNode().put("file_path", "a")))
                .map(SessionRules.Rule::display).contains("Write");
        assertThat(SessionRules.forCall("mcp__db__query", JSON.createObjectNode()))
                .map(SessionRules.Rule::display).contains("mcp__db__query");
    }

    @Test
    void theRuleGoesOnTheWireAsAnAddRulesUpdate() {
        CliMessages messages = new CliMessages(JSON);
        assertThat(messages.sessionRule(SessionRules.forCall("Bash", JSON.createObjectNode().put("command", "ls"))
                .orElseThrow()).toString()).isEqualTo("{\"type\":\"addRules\",\"rules\":[{\"toolName\":\"Bash\","
                + "\"ruleContent\":\"ls:*\"}],\"behavior\":\"allow\",\"destination\":\"session\"}");
        assertThat(messages.sessionRule(SessionRules.forCall("Write", JSON.createObjectNode()).orElseThrow())
                .toString()).isEqualTo("{\"type\":\"addRules\",\"rules\":[{\"toolName\":\"Write\"}],"
                + "\"behavior\":\"allow\",\"destination\":\"session\"}");
    }
}
