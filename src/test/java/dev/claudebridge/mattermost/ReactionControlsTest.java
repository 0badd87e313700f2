package dev.claudebridge.mattermost;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudebridge.core.port.ChatPlatform.Button;
import dev.claudebridge.core.port.ChatPlatform.ComponentRow;
import dev.claudebridge.core.port.ChatPlatform.Option;
import dev.claudebridge.core.session.ComponentIds;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Controls as reactions: which emoji means what, the legend, and what a reaction turns into. */
final class ReactionControlsTest {

    private static Button button(String customId, String label) {
        return new Button(customId, label, Button.Style.PRIMARY, false);
    }

    @Test
    void permissionAnswersAndInterruptHaveTheirOwnEmojiOtherButtonsAreNumbered() {
        String t = "thread1";
        ReactionControls.Legend legend = ReactionControls.legend(List.of(new ComponentRow.Buttons(List.of(
                button(ComponentIds.of(ComponentIds.PERMISSION, t, "req", "a"), "Allow"),
                button(ComponentIds.of(ComponentIds.PERMISSION, t, "req", "s"), "Allow for this session"),
                button(ComponentIds.of(ComponentIds.PERMISSION, t, "req", "d"), "Deny"))))).orElseThrow();
        assertThat(legend.choices().keySet()).containsExactly("+1", "white_check_mark", "-1");
        assertThat(legend.text()).isEqualTo(
                "React to answer: :+1: Allow · :white_check_mark: Allow for this session · :-1: Deny");
        assertThat(legend.offer()).isTrue();

        ReactionControls.Legend dead = ReactionControls.legend(List.of(new ComponentRow.Buttons(List.of(
                button(ComponentIds.of(ComponentIds.DEAD, t, "resume"), "Resume"),
                button(ComponentIds.of(ComponentIds.DEAD, t, "abort"), "Abort"))))).orElseThrow();
        assertThat(dead.choices().keySet()).containsExactly("one", "two");

        ReactionControls.Legend live = ReactionControls.legend(List.of(new ComponentRow.Buttons(List.of(
                button(ComponentIds.of(ComponentIds.INTERRUPT, t), "Interrupt"))))).orElseThrow();
        assertThat(live.choices().keySet()).containsExactly("stop_button");
        assertThat(live.offer()).as("a live reply is edited often: the bot does not add its reaction").isFalse();
    }

    @Test
    void menuOptionsAreNumberedAcrossThePostUpToTen() {
        List<Option> five = IntStream.rangeClosed(1, 5).mapToObj(i -> new Option("o" + i, "v" + i, "")).toList();
        List<Option> seven = IntStream.rangeClosed(1, 7).mapToObj(i -> new Option("p" + i, "w" + i, "")).toList();
        ReactionControls.Legend legend = ReactionControls.legend(List.of(
                new ComponentRow.Select("ask:t:r:0", "First?", five, 1),
                new ComponentRow.Select("ask:t:r:1", "Second?", seven, 3))).orElseThrow();
        assertThat(legend.choices()).hasSize(10);
        assertThat(legend.choices().get("six")).isEqualTo(new ReactionControls.Choice("ask:t:r:1", List.of("w1")));
        assertThat(legend.text()).contains("First?: :one: o1", "Second? (one answer by reaction): :six: p1",
                "more choices than reactions");
    }

    @Test
    void aRememberedPostAnswersItsReactionsUntilForgotten() {
        ReactionControls controls = new ReactionControls();
        ReactionControls.Legend legend = ReactionControls.legend(List.of(new ComponentRow.Buttons(List.of(
                button("newc:call:start", "Start"), button("newc:call:cancel", "Cancel"))))).orElseThrow();
        controls.remember("post1", "Start another?", legend);
        assertThat(controls.choice("post1", "two")).contains(new ReactionControls.Choice("newc:call:cancel",
                List.of()));
        assertThat(controls.choice("post1", "+1")).isEmpty();
        assertThat(controls.choice("post2", "one")).isEmpty();
        assertThat(controls.forget("post1")).contains("Start another?");
        assertThat(controls.choice("post1", "one")).isEmpty();
        assertThat(ReactionControls.legend(List.of())).isEmpty();
    }
}
