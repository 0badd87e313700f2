package dev.claudebridge.deploy;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression (or a Grafana query) reads, for checking them against a live {@code /metrics}.
 * Not a parser of the whole language: it removes what cannot name a metric (string literals, label matchers, range
 * and subquery brackets, the label lists of {@code by}, {@code without}, {@code on}, {@code ignoring},
 * {@code group_left} and {@code group_right}), then keeps each identifier that is neither a function (followed by
 * an opening parenthesis) nor a keyword; numbers and durations never start an identifier (the "e3" of 1e3, the "m"
 * of 5m follow a digit). Grafana's {@code label_values(metric, label)} counts
 * its metric only (and the one-argument form none). A selector written {@code {__name__="x"}} counts {@code x}.
 */
final class PromQl {

    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
    private static final Pattern NAME_MATCHER = Pattern.compile("__name__\\s*=\\s*\"([a-zA-Z_:][a-zA-Z0-9_:]*)\"");
    private static final Pattern LABEL_VALUES = Pattern.compile(
            "label_values\\s*\\(\\s*(?:([a-zA-Z_:][a-zA-Z0-9_:]*)?(\\{[^}]*})?\\s*,\\s*)?[a-zA-Z_][a-zA-Z0-9_]*\\s*\\)");
    private static final Pattern MATCHERS = Pattern.compile("\\{[^{}]*}");
    private static final Pattern BRACKETS = Pattern.compile("\\[[^\\[\\]]*]");
    private static final Pattern LABEL_LIST = Pattern.compile(
            "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^()]*\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.$])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?");
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left",
            "group_right", "bool", "and", "or", "unless", "offset", "atan2", "inf", "nan", "start", "end");

    private PromQl() {
    }

    static Set<String> metricNames(String expression) {
        Set<String> names = new TreeSet<>();
        Matcher byName = NAME_MATCHER.matcher(expression);
        while (byName.find()) {
            names.add(byName.group(1));
        }
        String rest = expression;
        Matcher labelValues = LABEL_VALUES.matcher(rest);
        StringBuilder kept = new StringBuilder();
        while (labelValues.find()) {
            labelValues.appendReplacement(kept, labelValues.group(1) == null ? " " : " " + labelValues.group(1) + " ");
        }
        labelValues.appendTail(kept);
        rest = STRING.matcher(kept.toString()).replaceAll(" ");
        rest = MATCHERS.matcher(rest).replaceAll(" ");
        rest = BRACKETS.matcher(rest).replaceAll(" ");
        rest = LABEL_LIST.matcher(rest).replaceAll(" ");
        Matcher id = IDENTIFIER.matcher(rest);
        while (id.find()) {
            String word = id.group(1);
            boolean function = id.group(2) != null;
            if (!function && !KEYWORDS.contains(word.toLowerCase())) {
                names.add(word);
            }
        }
        return names;
    }
}
