package dev.claudebridge.core.inbound;

import dev.claudebridge.core.port.AgentVersion;
import dev.claudebridge.core.port.Markup;
import dev.claudebridge.core.port.SessionStore;
import dev.claudebridge.core.session.Texts;
import dev.claudebridge.core.session.ThreadSession;
import dev.claudebridge.core.session.Totals;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import reactor.core.publisher.Mono;

/**
 * /status: the user's active sessions (state, age, tokens, cost), their sum, the CLI's version, and the user's totals
 * today and all time from the store (per turn, so correct across CLI restarts: each process counts from zero).
 */
final class StatusCommand implements Command {

    @Override
    public String name() {
        return "status";
    }

    @Override
    public String description() {
        return "Your sessions, tokens and cost";
    }

    @Override
    public List<Option> options() {
        return List.of();
    }

    @Override
    public String helpLine(Markup m) {
        return m.code(m.command("status"))
                + ": your active sessions with their state, tokens and cost, and your totals";
    }

    @Override
    public Answer run(CommandCall call, Bridge bridge) {
        String user = call.actor().userId();
        Instant now = bridge.clock().instant();
        List<Card.Field> fields = new ArrayList<>();
        Totals total = Totals.ZERO;
        List<ThreadSession> active = bridge.sessions().activeOf(user);
        for (ThreadSession s : active.stream().limit(20).toList()) {
            Duration age = Duration.between(s.identity().createdAt(), now);
            fields.add(new Card.Field(Texts.oneLine(s.identity().title(), 200), s.state().label() + " · age "
                    + Texts.human(Duration.ofSeconds(Math.max(1, age.toSeconds()))) + " · " + Texts.summary(s.totals())
                    + "\n" + bridge.markup().channel(s.identity().threadId())));
            total = total.plus(s.totals());
        }
        fields.add(new Card.Field("Active sessions", Texts.summary(total)));
        AgentVersion cli = bridge.sessions().agentVersion();
        fields.add(new Card.Field("Claude Code CLI", cli.version() + cli.warning().map(w -> "\n⚠️ " + w).orElse("")));
        Optional<String> description = active.isEmpty() ? Optional.of(Texts.statusNone(bridge.markup()))
                : Optional.empty();
        SessionStore store = bridge.sessions().store();
        String platform = bridge.chat().platform();
        return new Answer.Later(true, Mono.zip(store.userTotals(platform, user, now.truncatedTo(ChronoUnit.DAYS)),
                        store.userTotals(platform, user, Instant.EPOCH))
                .map(t -> {
                    List<Card.Field> all = new ArrayList<>(fields);
                    all.add(new Card.Field("Today (UTC)", totals(t.getT1())));
                    all.add(new Card.Field("All time", totals(t.getT2())));
                    return Reply.card(new Card(Texts.STATUS_TITLE, description, all));
                }));
    }

    private static String totals(SessionStore.UserTotals t) {
        return t.turns() + " prompts · " + t.tokensIn() + " tokens in · " + t.tokensOut() + " tokens out · "
                + Texts.usd(t.costUsd());
    }
}
