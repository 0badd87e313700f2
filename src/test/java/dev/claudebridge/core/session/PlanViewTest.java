package dev.claudebridge.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The plan as the owner sees it before approving: whole when it fits, else its start and the whole attached. */
final class PlanViewTest {

    private final FakeChat chat = new FakeChat("fake");

    @Test
    void aPlanThatFitsIsShownWhole() {
        Approval.View view = PlanView.of(Optional.of("1. One\n2. Two\n"), chat.markup(), 2000);
        assertThat(view.body()).isEqualTo(ControlTexts.PLAN_HEADER + "\n1. One\n2. Two");
        assertThat(view.files()).isEmpty();
    }

    @Test
    void aLongPlanShowsItsFirstLinesAndIsAttachedWhole() {
        String plan = IntStream.rangeClosed(1, 200).mapToObj(i -> i + ". step number " + i)
                .collect(Collectors.joining("\n"));
        Approval.View view = PlanView.of(Optional.of(plan), chat.markup(), 1000);
        assertThat(view.body().codePointCount(0, view.body().length())).isLessThanOrEqualTo(1000);
        assertThat(view.body()).contains("1. step number 1\n", "15. step number 15\n…", "200 lines",
                "attached as plan.md").doesNotContain("16. step number 16");
        assertThat(view.files()).singleElement().satisfies(f -> {
            assertThat(f.fileName()).isEqualTo("plan.md");
            assertThat(new String(f.content(), StandardCharsets.UTF_8)).isEqualTo(plan);
        });
    }

    @Test
    void aPlanOfOneHugeLineIsStillAttachedAndTheBodyFits() {
        String plan = "x".repeat(5000);
        Approval.View view = PlanView.of(Optional.of(plan), chat.markup(), 300);
        assertThat(view.body().length()).isLessThanOrEqualTo(300);
        assertThat(view.files()).hasSize(1);
    }

    @Test
    void anUnknownPlanSaysWhereItIs() {
        assertThat(PlanView.of(Optional.empty(), chat.markup(), 2000).body()).contains("reply above");
        assertThat(PlanView.of(Optional.of("  "), chat.markup(), 2000).files()).isEmpty();
    }
}
