package dev.claudebridge.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudebridge.Training;
import dev.claudebridge.deploy.ParsedDockerfile.Instruction;
import dev.claudebridge.deploy.ParsedDockerfile.Stage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Dockerfile's AOT step, run here as the image runs it (no Docker engine here): its training command on the
 * packaged jar with this JDK (25, as the image's JRE), then the ENTRYPOINT's flags with that cache. The training must
 * succeed without network and make a cache, and a start with the cache must map it and take its classes from it rather
 * than load them from the jar.
 */
@Timeout(180)
final class AotCacheIT {

    @TempDir
    Path dir;

    @Test
    void theDockerfilesTrainingMakesACacheThatAStartThenUses() throws Exception {
        Stage runtime = ParsedDockerfile.parse(Repo.read("Dockerfile")).last();
        List<String> entrypoint = ParsedDockerfile.execForm(runtime.last("ENTRYPOINT").orElseThrow());
        String imageJar = entrypoint.get(entrypoint.indexOf("-jar") + 1);
        Instruction training = runtime.all("RUN").stream()
                .filter(r -> r.arguments().contains("-XX:AOTCacheOutput=")).findFirst().orElseThrow();
        List<String> trainingWords = List.of(training.arguments().split(" "));
        String imageCache = trainingWords.stream().filter(w -> w.startsWith("-XX:AOTCacheOutput="))
                .findFirst().orElseThrow().substring("-XX:AOTCacheOutput=".length());

        Path jar = Path.of(System.getProperty("bridge.jar", "target/claude-bridge.jar")).toAbsolutePath();
        assertThat(jar).as("the packaged jar (failsafe runs after package)").isRegularFile();
        Path cache = dir.resolve("claude-bridge.aot");

        // 1. The training, as the Dockerfile writes it, with this checkout's jar and cache paths.
        List<String> train = command(trainingWords.subList(trainingWords.indexOf("java"),
                trainingWords.indexOf(Training.FLAG) + 1), imageJar, jar, imageCache, cache);
        Run trained = run(train, "train.log");
        assertThat(trained.exit()).as(trained.output()).isZero();
        assertThat(trained.output()).contains("training done", "slash commands registered",
                "slash commands unchanged");
        assertThat(cache).as("the AOT cache").isNotEmptyFile();

        // 2. A start with the ENTRYPOINT's flags maps the cache (-XX:AOTMode=on: not mapping it is an error) and takes
        //    its classes from it, not from the jar. Without settings the bot stops at once with exit code 2, after
        //    its first few hundred classes: enough to see where they came from.
        List<String> start = new ArrayList<>(command(entrypoint.subList(entrypoint.indexOf("java"),
                entrypoint.size()), imageJar, jar, imageCache, cache));
        Path classes = dir.resolve("classes.log");
        start.add(1, "-XX:AOTMode=on");
        start.add(1, "-Xlog:class+load=info:file=" + classes);
        Run used = run(start, "start.log");
        assertThat(used.output()).contains("DISCORD_TOKEN").doesNotContain("[error][aot]");
        assertThat(used.exit()).as(used.output()).isEqualTo(2);
        List<String> loaded = Files.readAllLines(classes);
        long fromCache = loaded.stream().filter(l -> l.contains("source: shared objects file")).count();
        assertThat(loaded).hasSizeGreaterThan(500);
        assertThat(fromCache).as("classes from the cache, of %d loaded", loaded.size())
                .isGreaterThan(loaded.size() * 95L / 100);

        // 3. A whole start of both platforms with the cache (the training's own, the nearest to a real start that
        //    needs no network): the Mattermost adapter's classes come from the cache as Discord's do.
        List<String> again = new ArrayList<>(train.stream().filter(w -> !w.startsWith("-XX:AOTCacheOutput="))
                .toList());
        Path classesAgain = dir.resolve("classes-again.log");
        again.add(1, "-XX:AOTCache=" + cache);
        again.add(1, "-XX:AOTMode=on");
        again.add(1, "-Xlog:class+load=info:file=" + classesAgain);
        Run retrained = run(again, "again.log");
        assertThat(retrained.exit()).as(retrained.output()).isZero();
        assertThat(retrained.output()).contains("mattermost: ok");
        for (String adapter : List.of("dev.claudebridge.mattermost.", "dev.claudebridge.discord.")) {
            List<String> classesOf = Files.readAllLines(classesAgain).stream()
                    .filter(l -> l.contains(" " + adapter)).toList();
            assertThat(classesOf).as(adapter).hasSizeGreaterThan(10);
            // Hidden classes a pattern switch spins at run time ($$TypeSwitch/0x…) are not archived by this JDK.
            assertThat(classesOf.stream().filter(l -> !l.contains("source: shared objects file"))
                    .filter(l -> !l.contains("/0x")).toList())
                    .as("%s classes not from the cache", adapter).isEmpty();
        }
    }

    /** The Dockerfile's words with this JDK's java and this checkout's jar and cache. */
    private static List<String> command(List<String> words, String imageJar, Path jar, String imageCache, Path cache) {
        List<String> out = new ArrayList<>();
        for (String w : words) {
            String word = w.equals("java") ? Path.of(System.getProperty("java.home"), "bin", "java").toString()
                    : w.equals(imageJar) ? jar.toString() : w.replace(imageCache, cache.toString());
            out.add(word);
        }
        return out;
    }

    private record Run(int exit, String output) {
    }

    private Run run(List<String> command, String logName) throws IOException, InterruptedException {
        Path log = dir.resolve(logName);
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().clear();
        pb.environment().putAll(Map.of("PATH", System.getenv("PATH"), "CLAUDE_BIN",
                Path.of(System.getProperty("claude.bin", "tools/node_modules/.bin/claude")).toAbsolutePath()
                        .toString()));
        Process p = pb.start();
        p.getOutputStream().close();
        if (!p.waitFor(150, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("did not end: " + command);
        }
        return new Run(p.exitValue(), Files.readString(log));
    }
}
