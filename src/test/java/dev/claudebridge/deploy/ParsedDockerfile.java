package dev.claudebridge.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A Dockerfile read as text, the way the builder reads it: comments dropped, continuation lines joined, instructions
 * grouped into stages at each {@code FROM}. Enough for static checks; it does not evaluate build arguments.
 */
record ParsedDockerfile(List<Stage> stages) {

    record Instruction(String keyword, String arguments) {
    }

    record Stage(String image, Optional<String> name, List<Instruction> instructions) {

        List<Instruction> all(String keyword) {
            return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
        }

        Optional<Instruction> last(String keyword) {
            List<Instruction> found = all(keyword);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.getLast());
        }

        /** Every {@code ENV} of the stage, in order, later ones winning. */
        Map<String, String> env() {
            Map<String, String> env = new LinkedHashMap<>();
            for (Instruction i : all("ENV")) {
                List<String> words = words(i.arguments());
                if (!words.isEmpty() && !words.getFirst().contains("=")) {  // legacy form: ENV NAME value
                    env.put(words.getFirst(), String.join(" ", words.subList(1, words.size())));
                    continue;
                }
                for (String word : words) {
                    int eq = word.indexOf('=');
                    if (eq <= 0) {
                        throw new AssertionError("cannot read ENV " + i.arguments());
                    }
                    env.put(word.substring(0, eq), word.substring(eq + 1));
                }
            }
            return env;
        }
    }

    static ParsedDockerfile parse(String text) {
        List<Instruction> instructions = new ArrayList<>();
        StringBuilder pending = new StringBuilder();
        for (String raw : text.split("\n", -1)) {
            String line = raw.strip();
            if (line.startsWith("#") || (line.isEmpty() && pending.isEmpty())) {
                continue;  // comments (and parser directives) vanish, even inside a continued instruction
            }
            boolean continues = line.endsWith("\\");
            pending.append(continues ? line.substring(0, line.length() - 1) : line).append(' ');
            if (!continues) {
                add(instructions, pending.toString().strip());
                pending.setLength(0);
            }
        }
        add(instructions, pending.toString().strip());

        List<Stage> stages = new ArrayList<>();
        for (Instruction i : instructions) {
            if (i.keyword().equals("FROM")) {
                List<String> words = words(i.arguments()).stream().filter(w -> !w.startsWith("--")).toList();
                Optional<String> name = words.size() >= 3 && words.get(1).equalsIgnoreCase("AS")
                        ? Optional.of(words.get(2)) : Optional.empty();
                stages.add(new Stage(words.getFirst(), name, new ArrayList<>()));
            } else if (stages.isEmpty()) {
                if (!i.keyword().equals("ARG")) {
                    throw new AssertionError("instruction before the first FROM: " + i);
                }
            } else {
                stages.getLast().instructions().add(i);
            }
        }
        return new ParsedDockerfile(List.copyOf(stages));
    }

    Stage last() {
        return stages.getLast();
    }

    /** The exec (JSON array) form of ENTRYPOINT or CMD; the shell form is refused. */
    static List<String> execForm(Instruction instruction) {
        try {
            return new ObjectMapper().readValue(instruction.arguments(), new TypeReference<List<String>>() { });
        } catch (JsonProcessingException e) {
            throw new AssertionError(instruction.keyword() + " is not in exec form (a JSON array): "
                    + instruction.arguments(), e);
        }
    }

    private static void add(List<Instruction> instructions, String line) {
        if (line.isEmpty()) {
            return;
        }
        int space = line.indexOf(' ');
        String keyword = (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
        String arguments = space < 0 ? "" : line.substring(space + 1).strip().replaceAll("\\s+", " ");
        instructions.add(new Instruction(keyword, arguments));
    }

    /** Splits on spaces outside double quotes, dropping the quotes. */
    private static List<String> words(String arguments) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean quoted = false;
        for (char c : arguments.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            } else if (c == ' ' && !quoted) {
                if (!word.isEmpty()) {
                    words.add(word.toString());
                    word.setLength(0);
                }
            } else {
                word.append(c);
            }
        }
        if (!word.isEmpty()) {
            words.add(word.toString());
        }
        return words;
    }
}
