package dev.claudebridge.agent.session;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudebridge.agent.process.CliChannel;
import dev.claudebridge.agent.process.CliCommand;
import dev.claudebridge.agent.process.CliProcess;
import dev.claudebridge.agent.process.ProcessLimits;
import dev.claudebridge.agent.protocol.CliEventDecoder;
import dev.claudebridge.agent.protocol.CliMessages;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Consumer;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/** Starts CLI processes as {@link ClaudeSession}s; one per bot, shared by every session. */
public final class ClaudeLauncher {

    private final ProcessLimits limits;
    private final Scheduler startScheduler;
    private final Clock clock;
    private final Duration controlTimeout;
    private final CliEventDecoder decoder;
    private final CliMessages messages;

    public ClaudeLauncher(ObjectMapper mapper, ProcessLimits limits, Scheduler startScheduler, Clock clock,
            Duration controlTimeout) {
        this.limits = limits;
        this.startScheduler = startScheduler;
        this.clock = clock;
        this.controlTimeout = controlTimeout;
        this.decoder = new CliEventDecoder(mapper);
        this.messages = new CliMessages(mapper);
    }

    /** Starts the process; nothing is written to it yet (the CLI prints nothing until its first input). */
    public Mono<ClaudeSession> start(CliCommand command) {
        return CliProcess.start(command, limits, startScheduler, clock)
                .map(process -> new ClaudeSession(process, decoder, messages, controlTimeout));
    }

    /** A session over a CLI started elsewhere (in its own pod, say). */
    public ClaudeSession session(CliChannel channel) {
        return new ClaudeSession(channel, decoder, messages, controlTimeout);
    }

    /** A session over a CLI that was in a turn when an earlier run of the bot left it ({@link ClaudeSession#adopted}). */
    public ClaudeSession adopt(CliChannel channel, ClaudeSession.Figures figures) {
        return ClaudeSession.adopted(channel, decoder, messages, controlTimeout, figures);
    }

    /** As {@link #start(CliCommand)}, each line the CLI writes to stderr told to {@code stderr} (must not block). */
    public Mono<ClaudeSession> start(CliCommand command, Consumer<String> stderr) {
        return CliProcess.start(command, limits, startScheduler, clock, stderr)
                .map(process -> new ClaudeSession(process, decoder, messages, controlTimeout));
    }
}
