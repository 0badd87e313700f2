package dev.claudebridge.testkit.discord;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Routes as "METHOD /path/{param}" templates. The template doubles as the route key for counts and faults.
 * Literal segments win over parameters because routes are tried in the order they were added.
 */
final class RouteTable {

    /** How a route is treated before its handler runs. */
    enum Kind {
        /** Needs the bot token, counts towards the global limit. */
        BOT,
        /** Per-channel message create bucket. */
        MESSAGE_CREATE,
        /** Per-channel message edit bucket. */
        MESSAGE_EDIT,
        /** Interaction and webhook routes: token in the path, no global limit. */
        INTERACTION
    }

    record Route(String key, String method, String[] segments, Kind kind, Function<RestCall, RestResult> handler) {
    }

    record Match(Route route, Map<String, String> params) {
    }

    private final List<Route> routes = new ArrayList<>();

    RouteTable add(String key, Kind kind, Function<RestCall, RestResult> handler) {
        int space = key.indexOf(' ');
        routes.add(new Route(key, key.substring(0, space), split(key.substring(space + 1)), kind, handler));
        return this;
    }

    Optional<Match> match(String method, String[] segments) {
        for (Route route : routes) {
            if (!route.method().equals(method) || route.segments().length != segments.length) {
                continue;
            }
            Map<String, String> params = new HashMap<>();
            boolean matches = true;
            for (int i = 0; i < segments.length && matches; i++) {
                String expected = route.segments()[i];
                if (expected.startsWith("{")) {
                    params.put(expected.substring(1, expected.length() - 1), segments[i]);
                } else {
                    matches = expected.equals(segments[i]);
                }
            }
            if (matches) {
                return Optional.of(new Match(route, params));
            }
        }
        return Optional.empty();
    }

    static String[] split(String path) {
        String trimmed = path.startsWith("/") ? path.substring(1) : path;
        return trimmed.isEmpty() ? new String[0] : trimmed.split("/");
    }
}
