package dev.claudebridge;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import dev.claudebridge.archfixture.agent.AgentAdapter;
import dev.claudebridge.archfixture.agent.session.AgentSessionAdapter;
import dev.claudebridge.archfixture.agent.session.AgentSessionUsingPersistence;
import dev.claudebridge.archfixture.core.CleanCore;
import dev.claudebridge.archfixture.core.CoreUsingAgentAdapter;
import dev.claudebridge.archfixture.core.CoreUsingApplication;
import dev.claudebridge.archfixture.core.CoreUsingConfig;
import dev.claudebridge.archfixture.core.CoreUsingDiscord4j;
import dev.claudebridge.archfixture.core.CoreUsingDiscordAdapter;
import dev.claudebridge.archfixture.core.CoreUsingFlyway;
import dev.claudebridge.archfixture.core.CoreUsingMain;
import dev.claudebridge.archfixture.core.CoreUsingMattermostAdapter;
import dev.claudebridge.archfixture.core.CoreUsingMicrometer;
import dev.claudebridge.archfixture.core.CoreUsingNuProcess;
import dev.claudebridge.archfixture.core.CoreUsingOpsAdapter;
import dev.claudebridge.archfixture.core.CoreUsingPersistenceAdapter;
import dev.claudebridge.archfixture.core.CoreUsingR2dbc;
import dev.claudebridge.archfixture.core.CoreUsingReactorNetty;
import dev.claudebridge.archfixture.discord.DiscordAdapter;
import dev.claudebridge.archfixture.discord.DiscordUsingMattermost;
import dev.claudebridge.archfixture.mattermost.MattermostAdapter;
import dev.claudebridge.archfixture.mattermost.MattermostUsingDiscord;
import dev.claudebridge.archfixture.ops.OpsAdapter;
import dev.claudebridge.archfixture.ops.OpsUsingAgent;
import dev.claudebridge.archfixture.persistence.PersistenceAdapter;
import dev.claudebridge.archfixture.persistence.PersistenceUsingOps;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The package rules of docs/architecture.md §2, on the main classes only: the core ({@code core.port}, {@code core.session},
 * {@code core.transcript}) is platform-neutral, and the adapters know the core but not each other. Only the root
 * package ({@code Application}, {@code Main}) wires everything together.
 *
 * <p>Each rule is built for a base package, so {@link RulesBite} can run the very same rule on the test-only classes
 * under {@code dev.claudebridge.archfixture}, which break it on purpose.
 */
final class ArchitectureTest {

    static final String BASE = "dev.claudebridge";

    /** The adapter packages; {@code mattermost} does not exist yet and the rules must hold when it does. */
    static final List<String> ADAPTERS = List.of("discord", "mattermost", "agent", "persistence", "ops");

    /** Libraries that belong to an adapter, never to the core. */
    static final List<String> PLATFORM_LIBRARIES = List.of(
            "discord4j..", // Discord
            "com.zaxxer.nuprocess..", // the CLI's processes
            "io.r2dbc..", // the database
            "org.flywaydb..", // its migrations
            "reactor.netty..", // HTTP servers and clients (the ops endpoint)
            "io.micrometer.."); // metrics

    private static JavaClasses main;

    @BeforeAll
    static void importMainClasses() {
        // Test classes are told apart by their directory; Maven's may be target-*/test-classes (-DbuildDir=...).
        main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("/test-classes/"))
                .importPackages(BASE);
    }

    /** The core depends on none of {@link #PLATFORM_LIBRARIES}, no adapter, no config and not the root package. */
    static ArchRule coreIsPlatformNeutral(String base) {
        List<String> forbidden = Stream.concat(PLATFORM_LIBRARIES.stream(),
                        Stream.concat(ADAPTERS.stream(), Stream.of("config")).map(p -> base + "." + p + ".."))
                .toList();
        return noClasses().that().resideInAPackage(base + ".core..")
                .should().dependOnClassesThat().resideInAnyPackage(forbidden.toArray(String[]::new))
                .orShould().dependOnClassesThat().resideInAPackage(base) // Application, Main: the composition root
                .because("the core is platform-neutral: a second chat platform (Mattermost) or another store must"
                        + " plug in through core.port without touching it");
    }

    /** No adapter package (with its subpackages) depends on another one; each knows only the core. */
    static ArchRule adaptersAreIndependent(String base) {
        return slices().assignedFrom(adapterSlices(base)).should().notDependOnEachOther()
                .because("adapters meet only in the core's ports and in the composition root");
    }

    /** One slice per adapter package; every other class belongs to none. A missing adapter is simply no slice. */
    static SliceAssignment adapterSlices(String base) {
        return new SliceAssignment() {
            @Override
            public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
                String pkg = javaClass.getPackageName();
                for (String adapter : ADAPTERS) {
                    String root = base + "." + adapter;
                    if (pkg.equals(root) || pkg.startsWith(root + ".")) {
                        return SliceIdentifier.of(adapter);
                    }
                }
                return SliceIdentifier.ignore();
            }

            @Override
            public String getDescription() {
                return "the adapter packages " + ADAPTERS + " of " + base;
            }
        };
    }

    @Test
    void theCoreDependsOnNoPlatformLibraryAdapterConfigOrCompositionRoot() {
        coreIsPlatformNeutral(BASE).check(main);
    }

    @Test
    void noAdapterDependsOnAnother() {
        adaptersAreIndependent(BASE).check(main);
    }

    @Test
    void theImportHoldsTheMainClassesAndNoTestClass() {
        assertThat(main.contain("dev.claudebridge.discord.DiscordChat")).isTrue();
        assertThat(main.contain("dev.claudebridge.core.port.ChatPlatform")).isTrue();
        assertThat(main.contain("dev.claudebridge.Main")).isTrue();
        assertThat(main.contain(ArchitectureTest.class)).isFalse();
        assertThat(main.contain(CleanCore.class)).isFalse();
    }

    /** The same rules on fixture classes that break them: a rule that never fails would prove nothing. */
    @Nested
    final class RulesBite {

        static final String FIXTURE = "dev.claudebridge.archfixture";

        static Stream<Arguments> coreViolations() {
            return Stream.of(
                    Arguments.of(CoreUsingDiscord4j.class, "discord4j.common.util.Snowflake"),
                    Arguments.of(CoreUsingNuProcess.class, "com.zaxxer.nuprocess.NuProcess"),
                    Arguments.of(CoreUsingR2dbc.class, "io.r2dbc.spi.Connection"),
                    Arguments.of(CoreUsingFlyway.class, "org.flywaydb.core.Flyway"),
                    Arguments.of(CoreUsingReactorNetty.class, "reactor.netty.http.client.HttpClient"),
                    Arguments.of(CoreUsingMicrometer.class, "io.micrometer.core.instrument.MeterRegistry"),
                    Arguments.of(CoreUsingDiscordAdapter.class, DiscordAdapter.class.getName()),
                    Arguments.of(CoreUsingMattermostAdapter.class, MattermostAdapter.class.getName()),
                    Arguments.of(CoreUsingAgentAdapter.class, AgentSessionAdapter.class.getName()),
                    Arguments.of(CoreUsingPersistenceAdapter.class, PersistenceAdapter.class.getName()),
                    Arguments.of(CoreUsingOpsAdapter.class, OpsAdapter.class.getName()),
                    Arguments.of(CoreUsingConfig.class, FIXTURE + ".config.FixtureConfig"),
                    Arguments.of(CoreUsingMain.class, FIXTURE + ".Main"),
                    Arguments.of(CoreUsingApplication.class, FIXTURE + ".Application"));
        }

        @ParameterizedTest(name = "{0} -> {1}")
        @MethodSource("coreViolations")
        void theCoreRuleCatches(Class<?> violator, String target) {
            EvaluationResult result = coreIsPlatformNeutral(FIXTURE)
                    .evaluate(new ClassFileImporter().importClasses(violator, CleanCore.class));

            assertThat(result.hasViolation()).isTrue();
            assertThat(result.getFailureReport().getDetails())
                    .allSatisfy(line -> assertThat(line).contains(violator.getName()).contains(target));
        }

        @Test
        void theCoreRuleAcceptsCleanCoreCode() {
            assertThat(coreIsPlatformNeutral(FIXTURE).evaluate(new ClassFileImporter().importClasses(CleanCore.class))
                    .hasViolation()).isFalse();
        }

        static Stream<Arguments> adapterViolations() {
            return Stream.of(
                    Arguments.of(DiscordUsingMattermost.class, MattermostAdapter.class),
                    Arguments.of(MattermostUsingDiscord.class, DiscordAdapter.class),
                    Arguments.of(AgentSessionUsingPersistence.class, PersistenceAdapter.class),
                    Arguments.of(PersistenceUsingOps.class, OpsAdapter.class),
                    Arguments.of(OpsUsingAgent.class, AgentSessionAdapter.class));
        }

        @ParameterizedTest(name = "{0} -> {1}")
        @MethodSource("adapterViolations")
        void theAdapterRuleCatches(Class<?> violator, Class<?> target) {
            EvaluationResult result = adaptersAreIndependent(FIXTURE)
                    .evaluate(new ClassFileImporter().importClasses(cleanAdapters(violator)));

            assertThat(result.hasViolation()).isTrue();
            assertThat(String.join("\n", result.getFailureReport().getDetails()))
                    .contains(violator.getName()).contains(target.getName());
        }

        @Test
        void theAdapterRuleAcceptsAdaptersThatUseOnlyTheCoreAndTheirOwnSubpackages() {
            assertThat(adaptersAreIndependent(FIXTURE).evaluate(new ClassFileImporter().importClasses(cleanAdapters()))
                    .hasViolation()).isFalse();
        }

        @Test
        void theAdapterRuleHoldsWithAnAdapterMissing() {
            // Today's situation: no mattermost package at all.
            assertThat(adaptersAreIndependent(FIXTURE).evaluate(new ClassFileImporter().importClasses(
                            CleanCore.class, DiscordAdapter.class, AgentAdapter.class, PersistenceAdapter.class))
                    .hasViolation()).isFalse();
        }

        /** Every clean fixture class (core, each adapter, a subpackage that uses its own adapter), plus extras. */
        private static Class<?>[] cleanAdapters(Class<?>... extra) {
            return Stream.concat(Stream.of(CleanCore.class, DiscordAdapter.class, MattermostAdapter.class,
                            AgentAdapter.class, AgentSessionAdapter.class, PersistenceAdapter.class, OpsAdapter.class),
                    Stream.of(extra)).toArray(Class<?>[]::new);
        }
    }
}
