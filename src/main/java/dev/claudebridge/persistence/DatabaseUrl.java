package dev.claudebridge.persistence;

import io.r2dbc.spi.ConnectionFactoryOptions;
import io.r2dbc.spi.Option;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * A {@code DATABASE_URL} taken apart: which database, its R2DBC options, and the JDBC URL and credentials Flyway
 * migrates it with (docs/architecture.md §3.10). Two shapes are accepted:
 * <ul>
 * <li>{@code r2dbc:h2:file:////abs/path} (an absolute path: four slashes) or {@code r2dbc:h2:mem:///name};
 * JDBC {@code jdbc:h2:file:/abs/path} or {@code jdbc:h2:mem:name}; user {@code sa} unless the URL names one</li>
 * <li>{@code r2dbc:postgresql://user:password@host:port/db} (credentials also as {@code ?user=...&password=...});
 * JDBC {@code jdbc:postgresql://host:port/db}, the credentials passed beside it, never inside it</li>
 * </ul>
 *
 * @param password empty when the URL has none; never logged ({@link #toString()} leaves it out)
 */
record DatabaseUrl(Kind kind, ConnectionFactoryOptions options, String jdbcUrl, String user, String password) {

    enum Kind { H2, POSTGRESQL }

    static final String H2_DEFAULT_USER = "sa";
    private static final Option<String> SSL_MODE = Option.valueOf("sslMode");

    DatabaseUrl {
        Objects.requireNonNull(kind, "kind must not be null");
        Objects.requireNonNull(options, "options must not be null");
        Objects.requireNonNull(jdbcUrl, "jdbcUrl must not be null");
        Objects.requireNonNull(user, "user must not be null");
        Objects.requireNonNull(password, "password must not be null");
    }

    /** Parses an R2DBC URL; an {@link IllegalArgumentException} says what is wrong with it. */
    static DatabaseUrl parse(String r2dbcUrl) {
        Objects.requireNonNull(r2dbcUrl, "r2dbcUrl must not be null");
        ConnectionFactoryOptions options;
        try {
            options = parseWithQueryCredentials(r2dbcUrl);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not an R2DBC URL (r2dbc:h2:file:////abs/path or "
                    + "r2dbc:postgresql://host:port/db): " + redact(r2dbcUrl), e);
        }
        String driver = text(options, ConnectionFactoryOptions.DRIVER).orElse("");
        return switch (driver) {
            case "h2" -> h2(options, r2dbcUrl);
            case "postgresql", "postgres" -> postgresql(options, r2dbcUrl);
            default -> throw new IllegalArgumentException("unsupported database driver '" + driver
                    + "' (h2 or postgresql; the store pools PostgreSQL connections itself): " + redact(r2dbcUrl));
        };
    }

    /**
     * R2DBC's parser refuses {@code user} and {@code password} in the query string; the store accepts them there (as
     * a Kubernetes secret may hold them) by moving them into the options itself.
     */
    private static ConnectionFactoryOptions parseWithQueryCredentials(String r2dbcUrl) {
        int query = r2dbcUrl.indexOf('?');
        if (query < 0) {
            return ConnectionFactoryOptions.parse(r2dbcUrl);
        }
        String user = null;
        String password = null;
        StringJoiner rest = new StringJoiner("&");
        for (String pair : r2dbcUrl.substring(query + 1).split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            switch (name) {
                case "user" -> user = value;
                case "password" -> password = value;
                default -> {
                    if (!pair.isEmpty()) {
                        rest.add(pair);
                    }
                }
            }
        }
        String base = r2dbcUrl.substring(0, query) + (rest.length() == 0 ? "" : "?" + rest);
        ConnectionFactoryOptions parsed = ConnectionFactoryOptions.parse(base);
        if (user == null && password == null) {
            return parsed;
        }
        ConnectionFactoryOptions.Builder builder = parsed.mutate();
        if (user != null) {
            builder.option(ConnectionFactoryOptions.USER, user);
        }
        if (password != null) {
            builder.option(ConnectionFactoryOptions.PASSWORD, password);
        }
        return builder.build();
    }

    private static DatabaseUrl h2(ConnectionFactoryOptions options, String r2dbcUrl) {
        String protocol = text(options, ConnectionFactoryOptions.PROTOCOL).orElse("");
        String database = text(options, ConnectionFactoryOptions.DATABASE)
                .filter(d -> !d.isBlank())
                .orElseThrow(() -> new IllegalArgumentException("an H2 URL needs a path: " + redact(r2dbcUrl)));
        String user = text(options, ConnectionFactoryOptions.USER).orElse(H2_DEFAULT_USER);
        String password = text(options, ConnectionFactoryOptions.PASSWORD).orElse("");
        return switch (protocol) {
            case "file" -> {
                if (!database.startsWith("/")) {
                    throw new IllegalArgumentException("an H2 file URL needs an absolute path, written with four "
                            + "slashes (r2dbc:h2:file:////abs/path): " + redact(r2dbcUrl));
                }
                yield new DatabaseUrl(Kind.H2, options, "jdbc:h2:file:" + database, user, password);
            }
            case "mem" -> new DatabaseUrl(Kind.H2, options, "jdbc:h2:mem:" + database, user, password);
            default -> throw new IllegalArgumentException("unsupported H2 protocol '" + protocol
                    + "' (file or mem): " + redact(r2dbcUrl));
        };
    }

    private static DatabaseUrl postgresql(ConnectionFactoryOptions options, String r2dbcUrl) {
        String host = text(options, ConnectionFactoryOptions.HOST)
                .filter(h -> !h.isBlank())
                .orElseThrow(() -> new IllegalArgumentException("a PostgreSQL URL needs a host: " + redact(r2dbcUrl)));
        int port = options.hasOption(ConnectionFactoryOptions.PORT)
                ? Integer.parseInt(String.valueOf(options.getValue(ConnectionFactoryOptions.PORT)))
                : 5432;
        String database = text(options, ConnectionFactoryOptions.DATABASE).orElse("");
        String user = text(options, ConnectionFactoryOptions.USER)
                .orElseThrow(() -> new IllegalArgumentException("a PostgreSQL URL needs a user (user info or "
                        + "?user=): " + redact(r2dbcUrl)));
        String password = text(options, ConnectionFactoryOptions.PASSWORD).orElse("");
        StringBuilder jdbc = new StringBuilder("jdbc:postgresql://")
                .append(host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host)
                .append(':').append(port)
                .append('/').append(database);
        // r2dbc-postgresql's sslMode (DISABLE, REQUIRE, VERIFY_FULL, ...) is the JDBC driver's sslmode (verify-full).
        text(options, SSL_MODE).ifPresent(mode ->
                jdbc.append("?sslmode=").append(mode.toLowerCase(Locale.ROOT).replace('_', '-')));
        return new DatabaseUrl(Kind.POSTGRESQL, options, jdbc.toString(), user, password);
    }

    private static Optional<String> text(ConnectionFactoryOptions options, Option<?> option) {
        Object value = options.getValue(option);
        return value == null ? Optional.empty() : Optional.of(value.toString());
    }

    /** The URL without its password (user info or query), for messages and logs. */
    static String redact(String url) {
        return url.replaceAll("(//[^/@:?#]*):[^@/?#]*@", "$1:***@")
                .replaceAll("(?i)([?&]password=)[^&#]*", "$1***");
    }

    /** Where the data lives, for logs: the JDBC URL (it never holds the password). */
    String describe() {
        return jdbcUrl;
    }

    @Override
    public String toString() {
        return "DatabaseUrl[" + kind + ", " + jdbcUrl + ", user=" + user + "]";
    }
}
