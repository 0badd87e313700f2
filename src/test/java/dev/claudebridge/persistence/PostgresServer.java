package dev.claudebridge.persistence;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for the tests, from Debian's binaries ({@code /usr/lib/postgresql/<ver>/bin}): a fresh
 * cluster in a temporary directory, on a free port of 127.0.0.1 with password (SCRAM) authentication, its unix
 * socket in that directory. As root, {@code initdb} refuses to run, so the cluster belongs to the {@code postgres}
 * user and every server command runs as that user through {@code runuser}.
 *
 * <p>Starting and stopping block (processes, files, JDBC): they run on the test thread, never on a reactive one.
 * Missing binaries fail the test run: {@code bash .ci/run} installs them.
 */
public final class PostgresServer implements AutoCloseable {

    static final String SUPERUSER = "postgres";
    private static final String POSTGRES_ROOT = "/usr/lib/postgresql";
    private static final long COMMAND_TIMEOUT_SECONDS = 60;

    private final Path bin;
    private final Path dir;
    private final int port;
    private final String password;
    private final AtomicBoolean stopped = new AtomicBoolean();

    private PostgresServer(Path bin, Path dir, int port, String password) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
        this.password = password;
    }

    /** initdb, then start; the server is stopped by {@link #close()}, or at the latest when the JVM exits. */
    public static PostgresServer start() throws IOException, InterruptedException {
        Path bin = binaries();
        Path dir = Files.createTempDirectory("claude-bridge-pg-");
        String password = randomPassword();
        Files.writeString(dir.resolve("pwfile"), password + "\n", StandardCharsets.UTF_8);
        if (runningAsRoot()) {
            run(dir, List.of("chown", "-R", SUPERUSER + ":" + SUPERUSER, dir.toString()));
        }
        run(dir, asPostgres(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(),
                "-U", SUPERUSER, "--pwfile=" + dir.resolve("pwfile"), "--auth-host=md5",
                "--auth-local=trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"));
        int port = freePort();
        PostgresServer server = new PostgresServer(bin, dir, port, password);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "postgres-test-server-stop"));
        run(dir, asPostgres(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(),
                "-l", dir.resolve("server.log").toString(), "-w", "-t", "60",
                "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off"
                        + " -c synchronous_commit=off -c full_page_writes=off",
                "start"));
        server.storePasswordAsMd5();
        return server;
    }

    /**
     * Password authentication without SCRAM: r2dbc-postgresql computes a SCRAM nonce with {@code SecureRandom}, which
     * reads {@code /dev/urandom} on the driver's event-loop thread, and BlockHound (on in every test) flags that read.
     * With the password stored as MD5 and {@code md5} in pg_hba.conf the server asks for an MD5 hash instead, so the
     * URL's credentials are still checked. (This JDBC call is on the test thread, where SCRAM is fine.)
     */
    private void storePasswordAsMd5() {
        try (var connection = DriverManager.getConnection(jdbcUrl("postgres"), SUPERUSER, password);
                var statement = connection.createStatement()) {
            statement.execute("SET password_encryption = 'md5'");
            statement.execute("ALTER ROLE " + SUPERUSER + " PASSWORD '" + password + "'");
        } catch (SQLException e) {
            throw new IllegalStateException("could not set the test server's password", e);
        }
    }

    /** A new, empty database for one test, and the R2DBC URL of it with the credentials in the user info. */
    public String createDatabase() {
        String name = "t_" + UUID.randomUUID().toString().replace("-", "");
        try (var connection = DriverManager.getConnection(jdbcUrl("postgres"), SUPERUSER, password);
                var statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("CREATE DATABASE failed on the test server (log: "
                    + dir.resolve("server.log") + ")", e);
        }
        return r2dbcUrl(name);
    }

    String r2dbcUrl(String database) {
        return "r2dbc:postgresql://" + SUPERUSER + ":" + password + "@127.0.0.1:" + port + "/" + database;
    }

    String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    String password() {
        return password;
    }

    int port() {
        return port;
    }

    /** Stops the server and keeps its files (a database that went down); {@link #close()} still deletes them. */
    public void stop() throws IOException, InterruptedException {
        if (stopped.compareAndSet(false, true)) {
            run(dir, asPostgres(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(),
                    "-m", "immediate", "-w", "stop"));
        }
    }

    @Override
    public void close() {
        if (!stopped.compareAndSet(false, true)) {
            deleteTree(dir);
            return;
        }
        try {
            run(dir, asPostgres(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(),
                    "-m", "immediate", "-w", "stop"));
        } catch (IOException | RuntimeException e) {
            System.err.println("stopping the test PostgreSQL server failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deleteTree(dir);
    }

    /** The newest installed PostgreSQL's bin directory; an error (never a skip) when there is none. */
    static Path binaries() throws IOException {
        Path root = Path.of(POSTGRES_ROOT);
        List<Path> found = new ArrayList<>();
        if (Files.isDirectory(root)) {
            try (Stream<Path> versions = Files.list(root)) {
                versions.map(v -> v.resolve("bin"))
                        .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                        .forEach(found::add);
            }
        }
        return found.stream()
                .max(Comparator.comparingInt(PostgresServer::majorVersion))
                .orElseThrow(() -> new IllegalStateException("PostgreSQL is not installed: no initdb under "
                        + POSTGRES_ROOT + "/*/bin. Install Debian's postgresql (apt-get install -y postgresql); "
                        + "bash .ci/run does it."));
    }

    private static int majorVersion(Path bin) {
        try {
            return Integer.parseInt(bin.getParent().getFileName().toString());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static boolean runningAsRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static List<String> asPostgres(String... command) {
        List<String> full = new ArrayList<>();
        if (runningAsRoot()) {
            full.addAll(List.of("runuser", "-u", SUPERUSER, "--"));
        }
        full.addAll(List.of(command));
        return full;
    }

    private static void run(Path dir, List<String> command) throws IOException, InterruptedException {
        Path output = Files.createTempFile("claude-bridge-pg-cmd-", ".log");
        try {
            Process process = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
            if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("timed out after " + COMMAND_TIMEOUT_SECONDS + " s: " + command
                        + "\n" + Files.readString(output));
            }
            if (process.exitValue() != 0) {
                String log = Files.readString(output);
                Path serverLog = dir.resolve("server.log");
                if (Files.exists(serverLog)) {
                    log += "\n--- server.log\n" + Files.readString(serverLog);
                }
                throw new IllegalStateException("exit " + process.exitValue() + ": " + command + "\n" + log);
            }
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String randomPassword() {
        SecureRandom random = new SecureRandom();
        StringBuilder password = new StringBuilder();
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        for (int i = 0; i < 24; i++) {
            password.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return password.toString();
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not delete " + root + ": " + e);
        }
    }
}
