package dev.claudebridge.agent.kubernetes;

import dev.claudebridge.core.port.SessionFiles;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import io.fabric8.kubernetes.client.dsl.PodResource;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * The sessions' files in the kubernetes runtime: each working directory is on its session's claim, which the bot
 * cannot mount, so every operation is a short command run with {@code pods/exec} in a pod that mounts the claim: the
 * session's CLI pod while one runs, else a files pod made for the purpose from the same template (no model
 * credentials, no stdin, a {@code sleep} as its command; deleted after {@link #FILES_POD_LIFE}, or when the session's
 * next CLI pod starts). The commands take the paths as arguments, never as script text, and confine themselves to
 * the working directory as the embedded runtime does: every path is resolved to where it really leads first.
 * Blocking calls run on {@code blocking}.
 */
public final class PodFiles implements SessionFiles {

    private static final Logger log = LoggerFactory.getLogger(PodFiles.class);
    /** How long a files pod stays for the operations that follow (attachments come several at a time). */
    static final Duration FILES_POD_LIFE = Duration.ofMinutes(2);
    private static final Duration EXEC_TIMEOUT = Duration.ofSeconds(60);
    static final String ROLE = "claude-bridge/role";

    /**
     * $1 working directory, $2 file name, $3 size: makes attachments/ (refused if it leads out of the working
     * directory), then takes the first free name of name, name-2.ext, … with noclobber (an existing file or a link is
     * never written through) and copies exactly $3 bytes of stdin into it.
     */
    static final String SAVE = String.join("\n",
            "w=$(cd \"$1\" 2>/dev/null && pwd -P) || { echo 'REFUSED the working directory is gone'; exit 0; }",
            "mkdir -p \"$w/attachments\" 2>/dev/null",
            "d=$(cd \"$w/attachments\" 2>/dev/null && pwd -P) || { echo 'REFUSED attachments/ is not a directory'; "
                    + "exit 0; }",
            "case \"$d\" in \"$w\"/*) ;; *) echo 'REFUSED attachments/ leads out of the working directory'; exit 0;; "
                    + "esac",
            "n=$2; b=${n%.*}; e=''; if [ \"$b\" != \"$n\" ] && [ -n \"$b\" ]; then e=\".${n##*.}\"; else b=$n; fi",
            "i=1; f=$n",
            "while [ $i -le 1000 ]; do",
            "  if ( set -C; : > \"$d/$f\" ) 2>/dev/null; then head -c \"$3\" > \"$d/$f\"; "
                    + "echo \"SAVED attachments/$f\"; exit 0; fi",
            "  i=$((i + 1)); f=\"$b-$i$e\"",
            "done",
            "echo \"REFUSED no free name for $n in attachments/\"");

    /**
     * $1 working directory, $2 path, $3 the most bytes to send: the path resolved (links followed) must be a regular
     * file inside the working directory; answers one line ({@code FOUND size path}, {@code TOOLARGE size path} or
     * {@code REFUSED why}) and, when found, the file's bytes.
     */
    static final String READ = String.join("\n",
            "w=$(cd \"$1\" 2>/dev/null && pwd -P) || { echo 'REFUSED the working directory is gone'; exit 0; }",
            "case \"$2\" in /*) p=$2;; *) p=\"$w/$2\";; esac",
            "r=$(realpath -e -- \"$p\" 2>/dev/null) || { echo \"REFUSED there is no such file in the session's "
                    + "working directory.\"; exit 0; }",
            "case \"$r\" in \"$w\"/*) ;; *) echo \"REFUSED that path leads outside the session's working directory.\"; "
                    + "exit 0;; esac",
            "[ -f \"$r\" ] || { echo 'REFUSED that is not a file.'; exit 0; }",
            "s=$(stat -c %s -- \"$r\"); rel=${r#\"$w\"/}",
            "if [ \"$s\" -gt \"$3\" ]; then echo \"TOOLARGE $s $rel\"; exit 0; fi",
            "echo \"FOUND $s $rel\"; head -c \"$s\" -- \"$r\"");

    /** $1 working directory, $2 a name under attachments/: deleted if it is a file there (a link is not followed). */
    static final String DELETE = String.join("\n",
            "d=$(cd \"$1/attachments\" 2>/dev/null && pwd -P) || exit 0",
            "w=$(cd \"$1\" && pwd -P); case \"$d\" in \"$w\"/*) ;; *) exit 0;; esac",
            "rm -f -- \"$d/$2\"");

    private final KubernetesClient client;
    private final String namespace;
    private final SessionPods pods;
    private final Function<java.nio.file.Path, String> podWorkDir;
    private final Scheduler blocking;

    /** @param podWorkDir a session's working directory (the bot's path) as the pod sees it */
    public PodFiles(KubernetesClient client, String namespace, SessionPods pods,
            Function<java.nio.file.Path, String> podWorkDir, Scheduler blocking) {
        this.client = client;
        this.namespace = namespace;
        this.pods = pods;
        this.podWorkDir = podWorkDir;
        this.blocking = blocking;
    }

    @Override
    public Mono<String> saveAttachment(Place place, String name, byte[] content) {
        return Mono.fromCallable(() -> {
            if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.startsWith(".")
                    || name.contains("\n")) {
                throw new IllegalArgumentException("not a plain file name: " + name);
            }
            Answer answer = exec(place, SAVE, content, podWorkDir.apply(place.workDir()), name,
                    Integer.toString(content.length));
            if (answer.head().startsWith("SAVED ")) {
                return answer.head().substring("SAVED ".length());
            }
            throw new IOException(answer.head().startsWith("REFUSED ") ? answer.head().substring(8)
                    : "the session's pod answered: " + answer.head());
        }).subscribeOn(blocking);
    }

    @Override
    public Mono<Void> delete(Place place, String relativePath) {
        return Mono.<Void>fromCallable(() -> {
            String prefix = ATTACHMENTS + "/";
            String name = relativePath.startsWith(prefix) ? relativePath.substring(prefix.length()) : "";
            if (!name.isEmpty() && !name.contains("/") && !name.startsWith(".")) {
                exec(place, DELETE, new byte[0], podWorkDir.apply(place.workDir()), name);
            }
            return null;
        }).subscribeOn(blocking);
    }

    @Override
    public Mono<FileRead> read(Place place, String path, long maxBytes) {
        return Mono.fromCallable(() -> {
            String asked = path.strip();
            if (asked.isEmpty() || asked.contains("\n") || asked.contains("\0")) {
                return (FileRead) new FileRead.Refused("that is not a path.");
            }
            String dir = podWorkDir.apply(place.workDir());
            // As on the bot's own disk: a path that leaves the directory by its words is refused before any look.
            java.nio.file.Path base = java.nio.file.Path.of(dir);
            if (!base.resolve(asked).normalize().startsWith(base)) {
                return new FileRead.Refused("that path is outside the session's working directory.");
            }
            Answer answer = exec(place, READ, new byte[0], dir, asked, Long.toString(maxBytes));
            String[] head = answer.head().split(" ", 3);
            return switch (head[0]) {
                case "FOUND" -> {
                    int size = Integer.parseInt(head[1]);
                    if (answer.body().length < size) {
                        throw new IOException("the file changed while it was read (" + answer.body().length
                                + " of " + size + " bytes)");
                    }
                    yield new FileRead.Found(head[2], Arrays.copyOf(answer.body(), size));
                }
                case "TOOLARGE" -> new FileRead.TooLarge(head[2], Long.parseLong(head[1]));
                case "REFUSED" -> new FileRead.Refused(answer.head().substring("REFUSED ".length()));
                default -> throw new IOException("the session's pod answered: " + answer.head());
            };
        }).subscribeOn(blocking);
    }

    /** The first line the command printed, and the bytes after it. */
    private record Answer(String head, byte[] body) {
    }

    /** Runs {@code sh -c script sh args…} in a pod that mounts the session's claim, {@code stdin} as its input. */
    private Answer exec(Place place, String script, byte[] stdin, String... args) throws IOException {
        String key = SessionPods.key(place.platform(), place.threadId());
        PodResource pod = client.pods().inNamespace(namespace).withName(podFor(key, place));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] argv = new String[4 + args.length];
        argv[0] = "/bin/sh";
        argv[1] = "-c";
        argv[2] = script;
        argv[3] = "sh";
        System.arraycopy(args, 0, argv, 4, args.length);
        try (ExecWatch watch = pod.inContainer(SessionPods.CONTAINER)
                .readingInput(new ByteArrayInputStream(stdin)).writingOutput(out).writingError(err).exec(argv)) {
            int code = watch.exitCode().get(EXEC_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (code != 0) {
                throw new IOException("a file command in the session's pod failed (exit " + code + "): "
                        + err.toString(StandardCharsets.UTF_8).strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("a file command in the session's pod did not finish: " + e.getMessage(), e);
        }
        byte[] bytes = out.toByteArray();
        int newline = indexOf(bytes, (byte) '\n');
        String head = new String(bytes, 0, newline < 0 ? bytes.length : newline, StandardCharsets.UTF_8);
        byte[] body = newline < 0 ? new byte[0] : Arrays.copyOfRange(bytes, newline + 1, bytes.length);
        return new Answer(head, body);
    }

    /**
     * A running pod of the session that mounts its claim: its CLI pod, or a files pod (made now if none runs, and
     * waited for). Blocking.
     */
    private String podFor(String key, Place place) throws IOException {
        var inNamespace = client.pods().inNamespace(namespace);
        Optional<Pod> running = inNamespace.withLabel(SessionPods.POD_OF, key).list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .filter(p -> p.getStatus() != null && "Running".equals(p.getStatus().getPhase()))
                .findFirst();
        if (running.isPresent()) {
            return running.get().getMetadata().getName();
        }
        String name = "claude-files-" + key + "-" + HexFormat.of().toHexDigits((int) System.nanoTime()).substring(2);
        inNamespace.resource(pods.filesPod(name, key, FILES_POD_LIFE)).create();
        PodResource pod = inNamespace.withName(name);
        try {
            pod.waitUntilCondition(p -> p == null || p.getStatus() != null && List.of("Running", "Failed",
                    "Succeeded").contains(p.getStatus().getPhase()), 3, TimeUnit.MINUTES);
        } catch (RuntimeException e) {
            pod.withGracePeriod(0).delete();
            throw new IOException("the session's files pod did not start: " + e.getMessage());
        }
        Pod up = pod.get();
        if (up == null || !"Running".equals(up.getStatus().getPhase())) {
            pod.withGracePeriod(0).delete();
            throw new IOException("the session's files pod did not start");
        }
        log.atInfo().addKeyValue("thread", place.threadId()).log("files pod {} running", name);
        // It ends by itself (its command is a sleep); deleted then, or at the session's next CLI start.
        Mono.delay(FILES_POD_LIFE.plusSeconds(5)).publishOn(blocking)
                .subscribe(t -> pod.withGracePeriod(0).delete(), e -> { });
        return name;
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
