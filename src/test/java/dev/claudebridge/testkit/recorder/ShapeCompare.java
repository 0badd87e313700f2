package dev.claudebridge.testkit.recorder;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Compares the shape of two transcript directories (the reference layout or the {@link Recorder}'s): per scenario,
 * the kinds of stdout lines and their counts, the field paths of each kind, the stderr lines with numbers and paths
 * blanked, and with {@code --requests} the headers, betas, tool names and body fields of the API requests. Values
 * are not compared. Prints what B has that A lacks ({@code +}), the reverse ({@code -}) and count changes
 * ({@code ~}), then a summary; exits 1 if any scenario differs. {@code --ignore} patterns are matched against
 * {@code "SCENARIO: DIFFERENCE"}, e.g. {@code "^15_sigterm_mid_turn: ~ kind"}.
 *
 * <pre>ShapeCompare DIR_A DIR_B [--requests] [--only REGEX] [--ignore REGEX]... [--no-default-ignores] [--ignore-missing]</pre>
 */
public final class ShapeCompare {

    /**
     * Differences that come and go between two runs of the same CLI (seen by recording 2.1.332 twice), not with
     * the version. A tool input that names the run's temp directory is longer or shorter from run to run, and the
     * fake streams it in chunks of about 24 characters, so the number of input_json_delta events varies.
     */
    static final List<String> DEFAULT_IGNORES = List.of(
            "^[^:]+: ~ kind stream_event:content_block_delta/input_json_delta ",
            // A signal or an interrupt at a set time cuts a slow reply after however many deltas had arrived.
            "^(04_interrupt_mid_stream|06ma_[a-z_]+|15_sigterm_mid_turn|15b_sigint_mid_turn): [-+~] kind "
                    + "stream_event:content_block_delta/text_delta ");

    private ShapeCompare() {
    }

    public static void main(String[] args) throws IOException {
        List<String> positional = new ArrayList<>();
        List<Pattern> ignores = new ArrayList<>();
        boolean requests = false;
        boolean defaults = true;
        boolean ignoreMissing = false; // scenarios recorded on one side only (a drift run that skipped some)
        Pattern only = Pattern.compile(".*");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--requests" -> requests = true;
                case "--no-default-ignores" -> defaults = false;
                case "--ignore-missing" -> ignoreMissing = true;
                case "--ignore" -> ignores.add(Pattern.compile(args[++i]));
                case "--only" -> only = Pattern.compile(args[++i]);
                default -> positional.add(args[i]);
            }
        }
        if (positional.size() != 2) {
            System.err.println("usage: ShapeCompare DIR_A DIR_B [--requests] [--only REGEX] [--ignore REGEX]..."
                    + " [--no-default-ignores] [--ignore-missing]");
            System.exit(2);
        }
        if (defaults) {
            DEFAULT_IGNORES.forEach(p -> ignores.add(Pattern.compile(p)));
        }
        Path a = Path.of(positional.get(0));
        Path b = Path.of(positional.get(1));
        List<String> inA = Shapes.names(a);
        List<String> inB = Shapes.names(b);
        Set<String> all = new TreeSet<>(inA);
        all.addAll(inB);
        Map<String, Integer> frequency = new TreeMap<>();
        List<String> differ = new ArrayList<>();
        List<String> onlyA = new ArrayList<>();
        List<String> onlyB = new ArrayList<>();
        System.out.println("A = " + a + "\nB = " + b);
        for (String name : all) {
            if (!only.matcher(name).find()) {
                continue;
            }
            if (!inB.contains(name)) {
                onlyA.add(name);
                continue;
            }
            if (!inA.contains(name)) {
                onlyB.add(name);
                continue;
            }
            List<String> diffs = diff(Shapes.of(a, name, requests), Shapes.of(b, name, requests)).stream()
                    .filter(d -> ignores.stream().noneMatch(p -> p.matcher(name + ": " + d).find()))
                    .toList();
            if (!diffs.isEmpty()) {
                differ.add(name);
                System.out.println("\n" + name);
                diffs.forEach(d -> System.out.println("  " + d));
                // counts are per scenario; the summary lists which changes recur
                diffs.forEach(d -> frequency.merge(d.replaceAll(" \\d+ → \\d+$", " (count)"), 1, Integer::sum));
            }
        }
        System.out.printf("%nsummary: %d scenarios in A, %d in B, %d differ in shape%n", inA.size(), inB.size(),
                differ.size());
        if (!onlyA.isEmpty()) {
            System.out.println("only in A: " + String.join(" ", onlyA));
        }
        if (!onlyB.isEmpty()) {
            System.out.println("only in B: " + String.join(" ", onlyB));
        }
        if (!differ.isEmpty()) {
            System.out.println("differ: " + String.join(" ", differ));
            System.out.println("differences by number of scenarios:");
            frequency.entrySet().stream()
                    .sorted((x, y) -> y.getValue() - x.getValue() != 0 ? y.getValue() - x.getValue()
                            : x.getKey().compareTo(y.getKey()))
                    .forEach(e -> System.out.printf("  %3d  %s%n", e.getValue(), e.getKey()));
        }
        System.exit(differ.isEmpty() && (ignoreMissing || onlyA.isEmpty() && onlyB.isEmpty()) ? 0 : 1);
    }

    static List<String> diff(Shapes a, Shapes b) {
        List<String> out = new ArrayList<>();
        kinds(a.kinds(), b.kinds(), "kind", out);
        fields(a.fields(), b.fields(), "field", out);
        for (String s : b.stderr()) {
            if (!a.stderr().contains(s)) {
                out.add("+ stderr " + s);
            }
        }
        for (String s : a.stderr()) {
            if (!b.stderr().contains(s)) {
                out.add("- stderr " + s);
            }
        }
        kinds(a.requestKinds(), b.requestKinds(), "request", out);
        fields(a.requestFields(), b.requestFields(), "request", out);
        return out;
    }

    private static void kinds(Map<String, Integer> a, Map<String, Integer> b, String what, List<String> out) {
        Set<String> keys = new TreeSet<>(a.keySet());
        keys.addAll(b.keySet());
        for (String k : keys) {
            int x = a.getOrDefault(k, 0);
            int y = b.getOrDefault(k, 0);
            if (x == 0) {
                out.add("+ " + what + " " + k + " ×" + y);
            } else if (y == 0) {
                out.add("- " + what + " " + k + " ×" + x);
            } else if (x != y) {
                out.add("~ " + what + " " + k + " " + x + " → " + y);
            }
        }
    }

    /** Field paths of kinds both sides have (a kind only one side has is already reported). */
    private static void fields(Map<String, Set<String>> a, Map<String, Set<String>> b, String what, List<String> out) {
        for (String kind : new TreeSet<>(a.keySet())) {
            Set<String> fb = b.get(kind);
            if (fb == null) {
                continue;
            }
            Set<String> fa = a.get(kind);
            Set<String> added = new LinkedHashSet<>(fb);
            added.removeAll(fa);
            Set<String> removed = new LinkedHashSet<>(fa);
            removed.removeAll(fb);
            collapse(added).forEach((f, below) -> out.add("+ " + what + " " + kind + " " + f + below));
            collapse(removed).forEach((f, below) -> out.add("- " + what + " " + kind + " " + f + below));
        }
    }

    /** A new object is one difference, not one per field inside it: children of a listed path are counted. */
    private static Map<String, String> collapse(Set<String> paths) {
        Map<String, String> out = new TreeMap<>();
        for (String p : paths) {
            if (paths.stream().noneMatch(q -> !q.equals(p) && (p.startsWith(q + ".") || p.startsWith(q + "[]")))) {
                long below = paths.stream().filter(q -> q.startsWith(p + ".") || q.startsWith(p + "[]")).count();
                out.put(p, below == 0 ? "" : " {" + below + " inside}");
            }
        }
        return out;
    }
}
