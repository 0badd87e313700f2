package dev.claudebridge.testkit.discord;

import com.fasterxml.jackson.databind.ObjectMapper;
import discord4j.common.JacksonResources;
import discord4j.discordjson.json.MessageData;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * One Discord4J Jackson setup for all tests of this package, with every discord-json (de)serializer built up
 * front on the test thread.
 *
 * <p>Why: Jackson builds a (de)serializer the first time it meets a type, under a ReentrantLock. When a gateway
 * thread and an HTTP thread of Discord4J meet new types at the same moment, one parks on that lock, and
 * BlockHound (rightly strict on Netty threads) fails the test. The lasting fix is a BlockHound allowance for
 * Jackson's {@code DeserializerCache}; until the project has one, warming the caches keeps these tests honest.
 */
final class WarmJackson {
    static final JacksonResources RESOURCES = warm(JacksonResources.create());

    private WarmJackson() {
    }

    private static JacksonResources warm(JacksonResources resources) {
        ObjectMapper mapper = resources.getObjectMapper();
        try (JarFile jar = new JarFile(Path.of(MessageData.class.getProtectionDomain().getCodeSource().getLocation()
                .toURI()).toFile())) {
            jar.stream().map(JarEntry::getName)
                    .filter(name -> name.startsWith("discord4j/discordjson/") && name.endsWith(".class"))
                    .map(name -> name.substring(0, name.length() - 6).replace('/', '.'))
                    .forEach(name -> warmType(mapper, name));
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("cannot read discord-json", e);
        }
        return resources;
    }

    // Deprecated, but exactly what Discord4J's reader and writer strategies call, so it warms what they use.
    @SuppressWarnings("deprecation")
    private static void warmType(ObjectMapper mapper, String className) {
        try {
            Class<?> type = Class.forName(className, false, WarmJackson.class.getClassLoader());
            mapper.canDeserialize(mapper.constructType(type));
            mapper.canSerialize(type);
        } catch (ClassNotFoundException | LinkageError | RuntimeException ignored) {
            // Not every class in the jar is a payload type; those that cannot be (de)serialized are not needed.
        }
    }
}
