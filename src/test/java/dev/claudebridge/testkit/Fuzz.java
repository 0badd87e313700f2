package dev.claudebridge.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Property-based checks on plain JUnit: a generator draws each case from its own seeded {@link Random}, the property
 * checks it (an assertion or any exception fails it), for a given number of cases. No property framework: jqwik
 * 1.10's maintainers ask that coding agents not use it (docs/reliability.md), and this is all the tests need.
 *
 * <p>Deterministic by default: the seed comes from the property's name, so a failure found anywhere fails the same
 * way everywhere. {@code -Dfuzz.seed=N} changes every property's seed ({@code random} draws one), {@code
 * -Dfuzz.tries=F} multiplies the number of cases for a longer local run, and {@code -Dfuzz.case=SEED} runs only the
 * one case a failure named. A failure says the property, the case number, the case's seed and the case, shrunk
 * (greedily, by the property's shrinker) to a smaller one that still fails.
 */
public final class Fuzz {

    /** Steps of shrinking at most: enough for a few thousand characters, bounded so a failure reports quickly. */
    private static final int SHRINK_STEPS = 2_000;

    private Fuzz() {
    }

    /** A property over cases of type {@code T}. */
    public static <T> Property<T> property(String name, Function<Random, T> generator) {
        return new Property<>(name, generator, value -> Stream.empty(), String::valueOf, 1000);
    }

    public record Property<T>(String name, Function<Random, T> generator, Function<T, Stream<T>> shrinker,
            Function<T, String> show, int tries) {

        public Property<T> tries(int count) {
            return new Property<>(name, generator, shrinker, show, count);
        }

        /** Smaller cases to try when a case fails, smallest first. */
        public Property<T> shrinking(Function<T, Stream<T>> candidates) {
            return new Property<>(name, generator, candidates, show, tries);
        }

        public Property<T> showing(Function<T, String> text) {
            return new Property<>(name, generator, shrinker, text, tries);
        }

        /** Runs the cases; returns how many ran. Prints one line (to the test's output file under Surefire). */
        public int check(Consumer<T> property) {
            String only = System.getProperty("fuzz.case", "");
            if (!only.isBlank()) {
                long seed = Long.parseUnsignedLong(only.strip().replaceFirst("^0x", ""), 16);
                run(0, seed, property);
                return 1;
            }
            long seed = baseSeed() ^ mix(name.hashCode());
            Random seeds = new Random(seed);
            double factor = Double.parseDouble(System.getProperty("fuzz.tries", "1"));
            int count = (int) Math.max(1, Math.round(tries * factor));
            for (int i = 0; i < count; i++) {
                run(i, seeds.nextLong(), property);
            }
            System.out.println("fuzz " + name + ": " + count + " cases passed (seed " + Long.toHexString(seed) + ")");
            return count;
        }

        private void run(int index, long caseSeed, Consumer<T> property) {
            T value = generator.apply(new Random(caseSeed));
            Throwable failure = failure(value, property);
            if (failure == null) {
                return;
            }
            T smallest = value;
            int steps = 0;
            boolean smaller = true;
            while (smaller && steps < SHRINK_STEPS) {
                smaller = false;
                for (T candidate : (Iterable<T>) shrinker.apply(smallest)::iterator) {
                    if (++steps > SHRINK_STEPS) {
                        break;
                    }
                    Throwable f = failure(candidate, property);
                    if (f != null) {
                        smallest = candidate;
                        failure = f;
                        smaller = true;
                        break;
                    }
                }
            }
            throw new AssertionError("property '" + name + "' failed at case " + index + " (rerun it alone with"
                    + " -Dfuzz.case=" + Long.toHexString(caseSeed) + ")\n  case (shrunk in " + steps + " steps): "
                    + abbreviate(show.apply(smallest)) + "\n  failure: " + failure, failure);
        }

        private static <T> Throwable failure(T value, Consumer<T> property) {
            try {
                property.accept(value);
                return null;
            } catch (OutOfMemoryError e) {
                throw e;
            } catch (Throwable e) {
                return e;
            }
        }
    }

    /** Shorter strings: halves, then chunks removed, then single characters removed (whole code points). */
    public static Stream<String> shrinkString(String s) {
        List<String> out = new ArrayList<>();
        int n = s.length();
        for (int chunk = n / 2; chunk >= 1; chunk /= 2) {
            for (int from = 0; from + chunk <= n; from += chunk) {
                int start = from;
                int end = from + chunk;
                if (start > 0 && Character.isLowSurrogate(s.charAt(start))) {
                    start--;
                }
                if (end < n && Character.isLowSurrogate(s.charAt(end))) {
                    end++;
                }
                out.add(s.substring(0, start) + s.substring(end));
            }
        }
        return out.stream().distinct();
    }

    /** Shorter lists: one element removed, then each element shrunk by {@code element}. */
    public static <E> Stream<List<E>> shrinkList(List<E> list, Function<E, Stream<E>> element) {
        Stream<List<E>> removed = IntStream.range(0, list.size()).mapToObj(i -> {
            List<E> copy = new ArrayList<>(list);
            copy.remove(i);
            return copy;
        });
        Stream<List<E>> shrunk = IntStream.range(0, list.size()).boxed().flatMap(i -> element.apply(list.get(i))
                .limit(50)
                .map(e -> {
                    List<E> copy = new ArrayList<>(list);
                    copy.set(i, e);
                    return copy;
                }));
        return Stream.concat(removed, shrunk);
    }

    /** A Java-style literal of {@code s}: control characters, surrogates and non-ASCII written as escapes. */
    public static String literal(String s) {
        StringBuilder out = new StringBuilder("\"");
        s.chars().forEach(c -> {
            if (c == '"' || c == '\\') {
                out.append('\\').append((char) c);
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c >= 0x20 && c < 0x7f) {
                out.append((char) c);
            } else {
                out.append(String.format("\\u%04x", c));
            }
        });
        return out.append('"').toString();
    }

    private static long baseSeed() {
        String seed = System.getProperty("fuzz.seed", "");
        if (seed.isBlank()) {
            return 0x5EEDL;
        }
        if (seed.equals("random")) {
            long drawn = System.nanoTime();
            System.out.println("fuzz: -Dfuzz.seed=" + drawn);
            return drawn;
        }
        return Long.parseLong(seed);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }

    private static String abbreviate(String s) {
        return s.length() <= 4000 ? s : s.substring(0, 4000) + "… (" + s.length() + " characters)";
    }
}
