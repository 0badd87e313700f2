package dev.claudebridge.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claudebridge.Training;
import dev.claudebridge.deploy.ParsedDockerfile.Instruction;
import dev.claudebridge.deploy.ParsedDockerfile.Stage;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Dockerfile, checked statically (no Docker engine runs here, so the image itself is never built by the tests):
 * issue 6 and docs/architecture.md §3.12.
 */
class DockerfileTest {

    static final String CLI_PACKAGE = "@anthropic-ai/claude-code";
    static final String PINNED_CLI = "2.1.332";
    /** The Java of the image (build and runtime stages). */
    static final int RUNTIME_JAVA = 25;

    private final String text = Repo.read("Dockerfile");
    private final ParsedDockerfile dockerfile = ParsedDockerfile.parse(text);

    @Test
    void isMultiStageOnGlibcImagesOnly() {
        assertThat(dockerfile.stages()).hasSizeGreaterThanOrEqualTo(2);
        for (Stage stage : dockerfile.stages()) {
            // The CLI's installer picks a musl binary on Alpine; every stage must be glibc based.
            assertThat(stage.image().toLowerCase(Locale.ROOT)).as("FROM %s", stage.image())
                    .doesNotContain("alpine").doesNotContain("musl").doesNotContain("distroless")
                    .doesNotContain("busybox").contains(":");
        }
    }

    /**
     * The image runs Java 25, the JDK the start-up figures were measured on and the one the AOT cache is made by; the
     * classes still target the pom's release (21), so the jar also runs on a JDK 21.
     */
    @Test
    void theRuntimeIsJava25AndTheBuildTargetsThePomsRelease() {
        int release = Repo.javaRelease();
        assertThat(release).isEqualTo(21);
        List<String> javaImages = dockerfile.stages().stream().map(Stage::image)
                .filter(image -> image.startsWith("eclipse-temurin:")).toList();
        assertThat(javaImages).as("Temurin stages").hasSizeGreaterThanOrEqualTo(2);
        for (String image : javaImages) {
            String tag = image.substring(image.indexOf(':') + 1);
            Matcher major = Pattern.compile("^(\\d+)").matcher(tag);
            assertThat(major.find()).as("a Java major version at the start of the tag of %s", image).isTrue();
            assertThat(Integer.parseInt(major.group(1))).as(image).isEqualTo(RUNTIME_JAVA);
        }
        // Built on a JDK with the wrapper, run on a JRE.
        Stage build = dockerfile.stages().stream().filter(s -> s.image().contains("-jdk")).findFirst().orElseThrow();
        assertThat(build.all("RUN")).extracting(Instruction::arguments)
                .anySatisfy(run -> assertThat(run).contains("./mvnw -B -ntp package -DskipTests"));
        assertThat(dockerfile.last().image()).isEqualTo("eclipse-temurin:" + RUNTIME_JAVA + "-jre");
    }

    /**
     * The AOT cache: made in the runtime stage (by the JRE that will use it, from the jar the ENTRYPOINT runs, after
     * both the jar and the CLI the training checks are in place), with the ENTRYPOINT's own JVM flags, by the bot's
     * training mode; the build fails when no cache came out; the ENTRYPOINT maps that very file.
     */
    @Test
    void theRuntimeStageTrainsAnAotCacheThatTheEntrypointUses() {
        Stage runtime = dockerfile.last();
        List<Instruction> steps = runtime.instructions();
        Instruction training = runtime.all("RUN").stream()
                .filter(r -> r.arguments().contains("-XX:AOTCacheOutput=")).findFirst()
                .orElseThrow(() -> new AssertionError("no RUN in the final stage makes an AOT cache"));
        Matcher output = Pattern.compile("-XX:AOTCacheOutput=(\\S+)").matcher(training.arguments());
        assertThat(output.find()).isTrue();
        String cache = output.group(1);

        List<String> entrypoint = ParsedDockerfile.execForm(runtime.last("ENTRYPOINT").orElseThrow());
        String jar = entrypoint.get(entrypoint.indexOf("-jar") + 1);
        assertThat(training.arguments()).as("the training runs the ENTRYPOINT's jar in the training mode")
                .contains("-jar " + jar + " " + Training.FLAG);
        assertThat(Training.FLAG).isEqualTo("--train");
        assertThat(training.arguments()).as("the build fails when no cache came out")
                .containsPattern("&& test -s " + Pattern.quote(cache) + "(\\s|$)");

        int trainedAt = steps.indexOf(training);
        assertThat(steps.subList(0, trainedAt)).extracting(Instruction::arguments).as("the jar is copied in before")
                .anySatisfy(copy -> assertThat(copy).startsWith("--from=").endsWith(" " + jar));
        assertThat(steps.subList(0, trainedAt)).extracting(Instruction::arguments).as("and so is the CLI")
                .anySatisfy(copy -> assertThat(copy).startsWith("--from=").contains("node_modules"));
        assertThat(training.arguments()).as("the CLI the bot will run")
                .contains("CLAUDE_BIN=" + runtime.env().get("CLAUDE_BIN") + " ");

        // The ENTRYPOINT maps the cache, with the very flags the training ran with.
        assertThat(entrypoint).contains("-XX:AOTCache=" + cache);
        assertThat(entrypoint.indexOf("-XX:AOTCache=" + cache)).isLessThan(entrypoint.indexOf("-jar"));
        List<String> runFlags = jvmFlags(List.of(training.arguments().split(" ")), "-XX:AOTCacheOutput=");
        List<String> entrypointFlags = jvmFlags(entrypoint, "-XX:AOTCache=");
        assertThat(runFlags).as("the training's JVM flags are the ENTRYPOINT's").isEqualTo(entrypointFlags)
                .contains("-Xmx384m");
        // Nothing hands the cache to every JVM of the image (the training itself would be given it).
        assertThat(runtime.env()).doesNotContainKey("JAVA_TOOL_OPTIONS").doesNotContainKey("JDK_JAVA_OPTIONS");
    }

    /** The words between {@code java} and {@code -jar}, without the one that names the AOT cache. */
    private static List<String> jvmFlags(List<String> command, String cacheFlag) {
        int java = command.indexOf("java");
        int jar = command.indexOf("-jar");
        assertThat(java).as("java in %s", command).isNotNegative().isLessThan(jar);
        return command.subList(java + 1, jar).stream().filter(w -> !w.isBlank() && !w.startsWith(cacheFlag))
                .toList();
    }

    /**
     * The pom installs the pinned CLI into tools/ during the build (profile install-cli, `npm ci`); the build stage
     * has neither tools/ nor npm, and the image's CLI comes from the cli stage: the build stage must skip that step,
     * with the very property the pom's npm execution reads.
     */
    @Test
    void theBuildStageSkipsTheCliInstallOfThePom() {
        String pom = Repo.read("pom.xml");
        Matcher npm = Pattern.compile("<execution>\\s*<id>npm-ci-tools</id>.*?</execution>", Pattern.DOTALL)
                .matcher(pom);
        assertThat(npm.find()).as("pom.xml's npm ci execution").isTrue();
        assertThat(npm.group()).contains("<executable>npm</executable>", "<argument>ci</argument>",
                "<skip>${cli.skip}</skip>");
        assertThat(pom).contains("<cli.skip>false</cli.skip>");

        Stage build = dockerfile.stages().stream()
                .filter(s -> s.all("RUN").stream().anyMatch(r -> r.arguments().contains("./mvnw")))
                .findFirst().orElseThrow(() -> new AssertionError("no stage runs ./mvnw"));
        assertThat(build.all("RUN")).extracting(Instruction::arguments)
                .filteredOn(run -> run.contains("./mvnw"))
                .allSatisfy(run -> assertThat(run).containsPattern("\\./mvnw [^&]*-Dcli\\.skip=true"));
        assertThat(build.all("COPY")).extracting(Instruction::arguments)
                .noneSatisfy(copy -> assertThat(copy).contains("tools"));
    }

    @Test
    void theImageCarriesTheLicenseAndTheNotice() {
        assertThat(dockerfile.last().all("COPY")).extracting(Instruction::arguments)
                .anySatisfy(copy -> assertThat(copy).contains("LICENSE").contains("NOTICE"));
        List<String> ignored = Repo.read(".dockerignore").lines().map(String::strip).toList();
        assertThat(ignored).doesNotContain("LICENSE", "NOTICE").contains(".env");
        assertThat(Repo.read("NOTICE")).contains("Claude Code", "Anthropic");
        assertThat(Repo.read("LICENSE")).contains("Apache License", "Version 2.0, January 2004",
                "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION");
    }

    @Test
    void runsAsANonRootUserUnderTiniAndRunsTheJar() {
        Stage runtime = dockerfile.last();
        String user = runtime.last("USER").orElseThrow(() -> new AssertionError("no USER in the final stage"))
                .arguments();
        assertThat(user.split(":")[0]).isNotIn("root", "0", "").matches("\\d+");  // numeric: runAsNonRoot can verify
        assertThat(runtimeUid()).isGreaterThan(0);

        List<String> entrypoint = ParsedDockerfile.execForm(runtime.last("ENTRYPOINT").orElseThrow());
        assertThat(entrypoint.getFirst()).endsWith("/tini");
        assertThat(entrypoint.get(1)).isEqualTo("--");
        assertThat(entrypoint).contains("java").containsSubsequence("-jar", "/app/claude-bridge.jar");
        assertThat(runtime.all("RUN")).extracting(Instruction::arguments)
                .anySatisfy(run -> assertThat(run).containsPattern("apt-get install .*\\btini\\b"));
        assertThat(runtime.all("COPY")).extracting(Instruction::arguments)
                .anySatisfy(copy -> assertThat(copy).startsWith("--from=").endsWith(" /app/claude-bridge.jar"));
    }

    /** Managed settings always load: their directory is root's, made before USER, never handed to the bot's user. */
    @Test
    void theManagedSettingsDirectoryBelongsToRoot() {
        Stage runtime = dockerfile.last();
        List<String> runs = runtime.all("RUN").stream().map(Instruction::arguments).toList();
        assertThat(runs).anySatisfy(run -> assertThat(run)
                .contains("install -d -o root -g root -m 0755 /etc/claude-code"));
        assertThat(String.join("\n", runs)).doesNotContainPattern("(chown|chmod)[^&;]*/etc/claude-code")
                .doesNotContain("/etc/claude-code/managed-settings.json");
        assertThat(runtime.all("COPY")).extracting(Instruction::arguments)
                .noneSatisfy(copy -> assertThat(copy).contains("/etc/claude-code"));
        assertThat(runtimeUid()).as("the bot does not run as root").isPositive();
    }

    @Test
    void healthcheckHitsHealthzOnTheOpsPort() {
        String healthcheck = dockerfile.last().last("HEALTHCHECK").orElseThrow().arguments();
        assertThat(healthcheck).contains("CMD ").contains("http://127.0.0.1:${OPS_PORT:-8081}/healthz");
        // The tool it uses is installed in the runtime stage.
        assertThat(healthcheck).contains("curl ");
        assertThat(dockerfile.last().all("RUN")).extracting(Instruction::arguments)
                .anySatisfy(run -> assertThat(run).containsPattern("apt-get install .*\\bcurl\\b"));
    }

    @Test
    void dataDirectoryAndCliStateAreOnTheVolume() {
        Map<String, String> env = dockerfile.last().env();
        assertThat(env).containsEntry("DATA_DIR", "/data").containsEntry("CLAUDE_CONFIG_DIR", "/data/claude")
                .containsEntry("OPS_PORT", "8081");
        assertThat(Path.of(env.get("WORKSPACE_ROOT"))).startsWithRaw(Path.of(env.get("DATA_DIR")));
        assertThat(dockerfile.last().all("VOLUME")).extracting(Instruction::arguments)
                .anySatisfy(volume -> assertThat(volume).contains("\"/data\""));
        // Every variable the image sets is a setting, a name the CLI allowlist passes, or PATH.
        assertThat(env.keySet()).allSatisfy(name -> assertThat(Wiring.isSettingOrCliName(name, List.of()))
                .as("ENV %s is neither a setting nor a CLI name", name).isTrue());
    }

    @Test
    void cliIsTheOnePinnedByTheToolsLockFile() throws Exception {
        ObjectMapper json = new ObjectMapper();
        JsonNode lock = json.readTree(Repo.read("tools/package-lock.json"));
        assertThat(lock.path("packages").path("node_modules/" + CLI_PACKAGE).path("version").asText())
                .isEqualTo(PINNED_CLI);
        assertThat(lock.path("packages").path("").path("dependencies").path(CLI_PACKAGE).asText())
                .isEqualTo(PINNED_CLI);
        assertThat(json.readTree(Repo.read("tools/package.json")).path("dependencies").path(CLI_PACKAGE).asText())
                .isEqualTo(PINNED_CLI);

        // Installed with `npm ci` from tools/: the lock file decides the version, not the Dockerfile.
        Stage cli = dockerfile.stages().stream()
                .filter(s -> s.all("RUN").stream().anyMatch(r -> r.arguments().contains("npm ci")))
                .findFirst().orElseThrow(() -> new AssertionError("no stage runs npm ci"));
        assertThat(cli.all("COPY")).extracting(Instruction::arguments)
                .anySatisfy(copy -> assertThat(copy).contains("tools/package.json")
                        .contains("tools/package-lock.json"));
        assertThat(text).doesNotContain("npm install").doesNotContain("npm i ").doesNotContain(CLI_PACKAGE + "@")
                .doesNotContain("claude.ai/install").doesNotContain(PINNED_CLI);
        Matcher version = Pattern.compile("(?<![\\d.])\\d+\\.\\d+\\.\\d+(?![\\d.])").matcher(text);
        assertThat(version.find()).as("a hard-coded x.y.z version in the Dockerfile").isFalse();

        // The runtime gets that node_modules and runs its claude.
        Stage runtime = dockerfile.last();
        assertThat(runtime.all("COPY")).extracting(Instruction::arguments)
                .anySatisfy(copy -> assertThat(copy).startsWith("--from=" + cli.name().orElseThrow() + " ")
                        .contains("node_modules"));
        assertThat(runtime.env().get("CLAUDE_BIN")).endsWith("/node_modules/.bin/claude");
        assertThat(runtime.env().get("PATH")).startsWith(
                runtime.env().get("CLAUDE_BIN").substring(0, runtime.env().get("CLAUDE_BIN").lastIndexOf('/')));
    }

    @Test
    void dockerignoreKeepsTheBuildContextSmall() {
        List<String> ignored = Repo.read(".dockerignore").lines().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        assertThat(ignored).contains(".git", "target", "tools/node_modules");
    }

    /** The numeric uid the final stage runs as. */
    static int runtimeUid() {
        ParsedDockerfile parsed = ParsedDockerfile.parse(Repo.read("Dockerfile"));
        return Integer.parseInt(parsed.last().last("USER").orElseThrow().arguments().split(":")[0]);
    }

    /** The heap cap ({@code -Xmx}) of the ENTRYPOINT, in bytes. */
    static long runtimeMaxHeapBytes() {
        ParsedDockerfile parsed = ParsedDockerfile.parse(Repo.read("Dockerfile"));
        for (String arg : ParsedDockerfile.execForm(parsed.last().last("ENTRYPOINT").orElseThrow())) {
            Matcher m = Pattern.compile("-Xmx(\\d+)([kKmMgG])").matcher(arg);
            if (m.matches()) {
                long unit = switch (Character.toLowerCase(m.group(2).charAt(0))) {
                    case 'k' -> 1L << 10;
                    case 'm' -> 1L << 20;
                    default -> 1L << 30;
                };
                return Long.parseLong(m.group(1)) * unit;
            }
        }
        throw new AssertionError("the ENTRYPOINT sets no -Xmx: the JVM's share of the pod's memory would be unbounded");
    }
}
