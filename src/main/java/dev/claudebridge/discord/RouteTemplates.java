package dev.claudebridge.discord;

import discord4j.rest.route.Route;
import discord4j.rest.route.Routes;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A concrete Discord request path as its route template, for metric tags (docs/architecture.md, style P15): every
 * segment that is not a fixed word of Discord's routes (an id, an interaction or webhook token, an emoji, an invite
 * code) is a placeholder, so a tag holds neither an id nor a secret.
 *
 * <p>The shapes are Discord4J's own ({@link Routes}, every route it can call): a path that has one of them gets that
 * template ({@code /interactions/123/TOKEN/callback} is {@code /interactions/{interaction.id}/{interaction.token}/callback},
 * the names {@code bridge_discord_requests_total} uses); the API prefix ({@code /api/v10}, from the configured base
 * URL) is kept. A path no shape fits keeps only the words that occur in some route and replaces every other segment
 * by {@code {id}} (digits) or {@code {value}}: templating only digits, as before, left tokens in the tags.
 */
final class RouteTemplates {

    private static final Pattern API_VERSION = Pattern.compile("v\\d+");
    private static final Pattern DIGITS = Pattern.compile("\\d+");

    /** Every route template of Discord4J, split into segments. */
    private static final List<List<String>> SHAPES = shapes();
    /** The fixed segments of all of them ({@code channels}, {@code messages}, {@code @me}, {@code callback}, ...). */
    private static final Set<String> WORDS = SHAPES.stream().flatMap(List::stream).filter(s -> !isVariable(s))
            .collect(Collectors.toUnmodifiableSet());

    private RouteTemplates() {
    }

    /** The template of a request path (the query and fragment dropped, a leading slash kept as it was). */
    static String of(String uri) {
        int end = uri.length();
        for (char c : new char[] {'?', '#'}) {
            int i = uri.indexOf(c);
            end = i >= 0 ? Math.min(end, i) : end;
        }
        String path = uri.substring(0, end);
        boolean leadingSlash = path.startsWith("/");
        List<String> segments = new ArrayList<>(Arrays.asList((leadingSlash ? path.substring(1) : path).split("/",
                -1)));
        int prefix = apiPrefix(segments);
        List<String> route = segments.subList(prefix, segments.size());
        List<String> template = new ArrayList<>(segments.subList(0, prefix));
        template.addAll(bestShape(route).orElseGet(() -> route.stream().map(RouteTemplates::placeholder).toList()));
        return (leadingSlash ? "/" : "") + String.join("/", template);
    }

    /** How many leading segments are the base URL's path up to {@code api/v10}; 0 without one. */
    private static int apiPrefix(List<String> segments) {
        for (int i = 0; i + 1 < segments.size(); i++) {
            if (segments.get(i).equals("api") && API_VERSION.matcher(segments.get(i + 1)).matches()) {
                return i + 2;
            }
        }
        return 0;
    }

    /** The shape that fits with the most fixed words ({@code /users/@me} over {@code /users/{user.id}}). */
    private static Optional<List<String>> bestShape(List<String> route) {
        List<String> best = null;
        int bestWords = -1;
        for (List<String> shape : SHAPES) {
            int words = fit(shape, route);
            if (words > bestWords) {
                best = shape;
                bestWords = words;
            }
        }
        return Optional.ofNullable(best);
    }

    /** The number of fixed words a shape shares with the path, or -1 when it does not fit. */
    private static int fit(List<String> shape, List<String> route) {
        if (shape.size() != route.size()) {
            return -1;
        }
        int words = 0;
        for (int i = 0; i < shape.size(); i++) {
            String part = shape.get(i);
            if (isVariable(part)) {
                if (route.get(i).isEmpty()) {
                    return -1;
                }
            } else if (part.equals(route.get(i))) {
                words++;
            } else {
                return -1;
            }
        }
        return words;
    }

    private static String placeholder(String segment) {
        if (segment.isEmpty() || WORDS.contains(segment)) {
            return segment;
        }
        return DIGITS.matcher(segment).matches() ? "{id}" : "{value}";
    }

    private static boolean isVariable(String segment) {
        return segment.startsWith("{") && segment.endsWith("}");
    }

    /** Discord4J's route constants, read once: a new Discord4J version brings its new routes along. */
    private static List<List<String>> shapes() {
        List<List<String>> shapes = new ArrayList<>();
        for (Field field : Routes.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && Route.class.isAssignableFrom(field.getType())) {
                try {
                    String template = ((Route) field.get(null)).getUriTemplate();
                    List<String> shape = List.of(template.substring(1).split("/", -1));
                    if (!shapes.contains(shape)) {
                        shapes.add(shape);
                    }
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException("Discord4J's Routes." + field.getName() + " is not readable", e);
                }
            }
        }
        return List.copyOf(shapes);
    }
}
