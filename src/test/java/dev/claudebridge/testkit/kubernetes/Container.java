package dev.claudebridge.testkit.kubernetes;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;

/**
 * One pod's container as a local process, isolated as far as a container runtime's essentials go:
 *
 * <pre>
 * unshare --pid --fork --mount --mount-proc --propagation private  sh start.sh
 *   start.sh (PID 1 of the pod, root, in the pod's own mount namespace):
 *     /dev     := a fresh tmpfs with null, zero, full, random, urandom, tty bind-mounted from the host's /dev,
 *                 the fd/stdin/stdout/stderr links, an empty shm, and the termination message file
 *     mounts   := each claim's host directory bind-mounted at its mountPath
 *     then, as a child:  setsid setpriv --reuid U --regid G --clear-groups|--groups F --no-new-privs
 *                          env -i -C workingDir NAME=VALUE... command args...
 *     and exits with the command's status (128+n when a signal n ended it)
 * </pre>
 *
 * What it does to the host: nothing under the host's /dev (the pod's /dev is a tmpfs in its own mount namespace,
 * staged in the pod's state directory); a {@code mountPath} that does not exist is created on the host (an empty
 * root-owned 0755 directory, left there: removing it later would lazily detach the mounts of pods, of this or
 * another fake on the machine, that still use it in their namespaces), and so is a termination message path
 * outside /dev (an empty file, left), as the bind mounts' targets, since the pods share the host's root file
 * system; the mounts themselves live only in the pod's mount namespace and go with it.
 *
 * <p>PID 1 of the pod is that small shell, not the command (as a runtime with an init such as {@code docker --init}
 * does): util-linux's {@code unshare --fork} cannot report a child killed by a signal (it fails re-raising it and
 * exits 1), so the shell turns that into the kubelet's {@code 128+n} exit code. Signals go to every process of the
 * pod but that shell (its descendants), which is the container's process group and whatever it spawned.
 */
final class Container {
    /**
     * One volume mount: a host directory bind-mounted at a path in the pod (a claim, a directory in it, or a disk
     * emptyDir), or, when {@code hostDir} is null, a tmpfs (an emptyDir of medium Memory, {@code tmpfsBytes} its size
     * limit or 0). {@code claim} marks the ones the kubelet gives to the pod's user.
     */
    record Mount(Path hostDir, String mountPath, boolean readOnly, long tmpfsBytes, boolean claim) {
    }

    /** Everything the kubelet resolved from the pod spec. */
    record Spec(List<String> command, Map<String, String> env, String workingDir, long uid, long gid,
            Optional<Long> fsGroup, List<Mount> mounts, String terminationMessagePath, boolean stdin) {
    }

    /** The kubelet's cap on a termination message ({@code MaxContainerTerminationMessageLength}): the last 4 KiB. */
    static final int MAX_TERMINATION_MESSAGE = 4096;

    private final Spec spec;
    private final Path stateDir;
    private final Process process;
    private final PodLog log;
    private final OutputStream stdin;
    /** Writes to stdin in arrival order, off the event loop (a pipe write may block). */
    private final ExecutorService stdinWriter;
    private final CompletableFuture<Integer> exited = new CompletableFuture<>();
    private final Instant startedAt = Instant.now();

    private Container(Spec spec, Path stateDir, Process process, PodLog log) {
        this.spec = spec;
        this.stateDir = stateDir;
        this.process = process;
        this.log = log;
        this.stdin = spec.stdin() ? process.getOutputStream() : null;
        this.stdinWriter = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon()
                .name("fake-kubelet-stdin-" + process.pid()).factory());
    }

    /** Starts the process; blocks briefly (files, fork): call it on a kubelet thread. */
    static Container start(Spec spec, Path stateDir, PodLog log, ExecutorService threads) throws IOException {
        Files.createDirectories(stateDir);
        Files.setPosixFilePermissions(stateDir, PosixFilePermissions.fromString("rwx------"));
        Path message = stateDir.resolve("termination-log");
        Files.write(message, new byte[0]);
        Files.setAttribute(message, "unix:uid", (int) spec.uid());
        Files.setAttribute(message, "unix:gid", (int) spec.gid());
        Path script = stateDir.resolve("start.sh");
        Files.writeString(script, script(spec, stateDir, message), StandardCharsets.UTF_8);
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/unshare", "--pid", "--fork", "--mount", "--mount-proc",
                "--propagation", "private", "/bin/sh", script.toString());
        pb.environment().clear();
        pb.directory(stateDir.toFile());
        if (!spec.stdin()) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        }
        Container c = new Container(spec, stateDir, pb.start(), log);
        c.awaitCommand();
        CompletableFuture<Void> out = pump(c.process.getInputStream(), false, log, threads);
        CompletableFuture<Void> err = pump(c.process.getErrorStream(), true, log, threads);
        threads.execute(() -> {
            int code = waitFor(c.process);
            CompletableFuture.allOf(out, err).join();
            log.close();
            c.stdinWriter.shutdown();
            c.exited.complete(code);
        });
        return c;
    }

    Instant startedAt() {
        return startedAt;
    }

    Spec spec() {
        return spec;
    }

    /** The exit code once the process is gone and its output is in the log. */
    CompletableFuture<Integer> exited() {
        return exited;
    }

    boolean running() {
        return !exited.isDone();
    }

    /** Queues bytes for the container's stdin (dropped when it has none or is gone, as the runtime drops them). */
    void writeStdin(byte[] bytes) {
        if (stdin == null || exited.isDone()) {
            return;
        }
        try {
            stdinWriter.execute(() -> {
                try {
                    stdin.write(bytes);
                    stdin.flush();
                } catch (IOException e) {
                    // the process closed its stdin or ended: the runtime drops what it cannot deliver
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the container ended meanwhile
        }
    }

    /**
     * Waits (at most 5 s) until the pod's init has started the command, or the pod is gone: "Running" in the status
     * then means the command runs, and a kill right after hits it, not the init's set-up (a killed {@code mount} or
     * {@code dirname} there would end the pod with the shell's exit 1 instead of 137). The command is the init's child
     * that leads its own session ({@code setsid}); the set-up's children do not.
     */
    private void awaitCommand() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline && process.isAlive()) {
            Optional<ProcessHandle> init = process.toHandle().children().findFirst();
            if (init.isPresent() && init.get().children().anyMatch(Container::leadsSession)) {
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    /** Whether a process is its session's leader ({@code /proc/PID/stat}: the session is the 4th field after the name). */
    private static boolean leadsSession(ProcessHandle p) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[3]) == p.pid();
        } catch (IOException | RuntimeException e) {
            return false; // gone meanwhile
        }
    }

    /**
     * SIGTERM ({@code kill} false) or SIGKILL to every process of the pod but its init shell. A SIGKILL is repeated
     * until the pod is gone (at most 5 s), so that a process forked meanwhile (the command after the working
     * directory's mkdir) goes too. Blocks: call it on a kubelet thread.
     */
    void signal(boolean kill) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        do {
            process.toHandle().children().forEach(init -> init.descendants().forEach(p -> {
                if (kill) {
                    p.destroyForcibly();
                } else {
                    p.destroy();
                }
            }));
            if (!kill) {
                return;
            }
            try {
                if (process.waitFor(20, TimeUnit.MILLISECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        } while (System.nanoTime() < deadline);
    }

    /** The host PID of the pod's init (PID 1 inside), for {@code nsenter}; empty before it is forked or after. */
    Optional<Long> initPid() {
        return process.toHandle().children().findFirst().map(ProcessHandle::pid);
    }

    /** The termination message file's last 4 KiB, as the kubelet reads it. */
    String terminationMessage() {
        try (RandomAccessFile f = new RandomAccessFile(stateDir.resolve("termination-log").toFile(), "r")) {
            long length = f.length();
            long from = Math.max(0, length - MAX_TERMINATION_MESSAGE);
            byte[] b = new byte[(int) (length - from)];
            f.seek(from);
            f.readFully(b);
            return new String(b, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Starts a command inside the pod (its mount and PID namespaces, as its user, with its environment and working
     * directory), as the runtime's exec does.
     */
    Process exec(List<String> command) throws IOException {
        long pid = initPid().orElseThrow(() -> new IOException("the container has no process"));
        List<String> argv = new ArrayList<>(List.of("/usr/bin/nsenter", "--target", Long.toString(pid), "--mount",
                "--pid", "--"));
        argv.addAll(userCommand(spec, command));
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.environment().clear();
        return pb.start();
    }

    /** Kills what is left and deletes the state directory (the pod's termination file and start script). */
    void destroy() {
        signal(true);
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stdinWriter.shutdownNow();
    }

    // ---- the start script

    private static String script(Spec spec, Path stateDir, Path message) {
        StringBuilder s = new StringBuilder();
        s.append("set -e\nPATH=/usr/sbin:/usr/bin:/sbin:/bin\n");
        s.append("dev=").append(q(stateDir.resolve("dev").toString())).append('\n');
        s.append("mkdir -p \"$dev\"\nmount -t tmpfs -o mode=755,nosuid,size=65536k tmpfs \"$dev\"\n");
        s.append("for n in null zero full random urandom tty; do : > \"$dev/$n\"; mount --bind \"/dev/$n\" \"$dev/$n\";"
                + " done\n");
        s.append("ln -s /proc/self/fd \"$dev/fd\"; ln -s /proc/self/fd/0 \"$dev/stdin\";"
                + " ln -s /proc/self/fd/1 \"$dev/stdout\"; ln -s /proc/self/fd/2 \"$dev/stderr\"\n");
        s.append("mkdir \"$dev/pts\" \"$dev/shm\"\nmount -t tmpfs -o mode=1777,nosuid,nodev tmpfs \"$dev/shm\"\n");
        // Every source is bind-mounted into the private /dev first, while the host paths are all reachable (a volume at
        // /tmp would hide a claim or state directory under /tmp), then onto its target, parents before children as
        // the CRI runtime sorts them; the staging binds go again at the end.
        List<Mount> mounts = new ArrayList<>(spec.mounts());
        mounts.sort(java.util.Comparator.comparingInt(m -> Path.of(m.mountPath()).normalize().getNameCount()));
        String tm = spec.terminationMessagePath();
        boolean tmInDev = tm.startsWith("/dev/");
        if (tmInDev) {
            String inDev = "\"$dev\"/" + q(tm.substring(5));
            s.append("mkdir -p \"$(dirname ").append(inDev).append(")\"; : > ").append(inDev)
                    .append("; mount --bind ").append(q(message.toString())).append(' ').append(inDev).append('\n');
        }
        s.append("mkdir \"$dev/.volumes\"\n");
        for (int i = 0; i < mounts.size(); i++) {
            Mount m = mounts.get(i);
            if (m.hostDir() != null) {
                s.append("mkdir \"$dev/.volumes/").append(i).append("\"; mount --bind ").append(q(m.hostDir().toString()))
                        .append(" \"$dev/.volumes/").append(i).append("\"\n");
            }
        }
        if (!tmInDev) {
            s.append(": > \"$dev/.volumes/tl\"; mount --bind ").append(q(message.toString()))
                    .append(" \"$dev/.volumes/tl\"\n");
        }
        s.append("mount --move \"$dev\" /dev\n");
        for (int i = 0; i < mounts.size(); i++) {
            Mount m = mounts.get(i);
            s.append("mkdir -p ").append(q(m.mountPath())).append('\n');
            if (m.hostDir() != null) {
                s.append("mount --bind /dev/.volumes/").append(i).append(' ').append(q(m.mountPath())).append('\n');
            } else {
                s.append("mount -t tmpfs -o mode=1777,nosuid,nodev").append(m.tmpfsBytes() > 0 ? ",size="
                        + m.tmpfsBytes() : "").append(" tmpfs ").append(q(m.mountPath())).append('\n');
            }
            if (m.readOnly()) {
                s.append("mount -o remount,bind,ro ").append(q(m.mountPath())).append('\n');
            }
        }
        if (!tmInDev) {
            s.append("mkdir -p \"$(dirname ").append(q(tm)).append(")\"; [ -e ").append(q(tm)).append(" ] || : > ")
                    .append(q(tm)).append("; mount --bind /dev/.volumes/tl ").append(q(tm)).append('\n');
            s.append("umount /dev/.volumes/tl && rm -f /dev/.volumes/tl || true\n");
        }
        for (int i = 0; i < mounts.size(); i++) {
            if (mounts.get(i).hostDir() != null) {
                // rmdir, never rm -r: a staging bind that failed to go still shows the volume's files
                s.append("umount /dev/.volumes/").append(i).append(" && rmdir /dev/.volumes/").append(i)
                        .append(" || true\n");
            }
        }
        s.append("rmdir /dev/.volumes || true\n");
        s.append("set +e\n");
        if (spec.workingDir() != null && !spec.workingDir().isEmpty()) {
            // the runtime makes a missing working directory; as the pod's user so that it can write there
            s.append(String.join(" ", quoteAll(setpriv(spec)))).append(" -- /bin/mkdir -p ")
                    .append(q(spec.workingDir())).append('\n');
        }
        s.append("setsid ").append(String.join(" ", quoteAll(userCommand(spec, spec.command())))).append('\n');
        s.append("exit $?\n");
        return s.toString();
    }

    private static List<String> setpriv(Spec spec) {
        List<String> a = new ArrayList<>(List.of("/usr/bin/setpriv", "--reuid=" + spec.uid(), "--regid=" + spec.gid()));
        a.add(spec.fsGroup().map(g -> "--groups=" + g).orElse("--clear-groups"));
        a.add("--no-new-privs");
        return a;
    }

    /** setpriv (the pod's user) + {@code env -i} (only the pod's environment) + the working directory + command. */
    private static List<String> userCommand(Spec spec, List<String> command) {
        List<String> a = setpriv(spec);
        a.addAll(List.of("--", "/usr/bin/env", "-i"));
        // the image's working directory when the spec names none: "/" (images are ignored here)
        a.add("--chdir=" + (spec.workingDir() == null || spec.workingDir().isEmpty() ? "/" : spec.workingDir()));
        a.add("--");
        spec.env().forEach((k, v) -> a.add(k + "=" + v));
        a.addAll(command);
        return a;
    }

    private static List<String> quoteAll(List<String> words) {
        return words.stream().map(Container::q).toList();
    }

    /** Single-quotes a word for sh. */
    static String q(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    // ---- output

    /** Reads a stream to its end, appending each newline-terminated line (and a last unterminated one) to the log. */
    private static CompletableFuture<Void> pump(InputStream in, boolean stderr, PodLog log, ExecutorService threads) {
        return pumpLines(in, (bytes, last) -> log.append(stderr, bytes), threads);
    }

    static CompletableFuture<Void> pumpLines(InputStream in, BiConsumer<byte[], Boolean> line,
            ExecutorService threads) {
        return CompletableFuture.runAsync(() -> {
            ByteArrayOutputStream pending = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    int start = 0;
                    for (int i = 0; i < n; i++) {
                        if (buf[i] == '\n') {
                            pending.write(buf, start, i + 1 - start);
                            line.accept(pending.toByteArray(), false);
                            pending.reset();
                            start = i + 1;
                        }
                    }
                    pending.write(buf, start, n - start);
                }
            } catch (IOException e) {
                // the stream broke: what was read so far stays
            }
            if (pending.size() > 0) {
                line.accept(pending.toByteArray(), true);
            }
        }, threads);
    }

    private static int waitFor(Process p) {
        while (true) {
            try {
                return p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }
    }
}
