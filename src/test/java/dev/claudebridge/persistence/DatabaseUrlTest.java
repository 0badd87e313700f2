package dev.claudebridge.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** How a DATABASE_URL becomes the store's R2DBC options and Flyway's JDBC URL and credentials. */
final class DatabaseUrlTest {

    @Test
    void anAbsoluteH2FileHasFourSlashesAndBecomesAJdbcFileUrl() {
        DatabaseUrl url = DatabaseUrl.parse("r2dbc:h2:file:////var/lib/bridge/claude-bridge");
        assertThat(url.kind()).isEqualTo(DatabaseUrl.Kind.H2);
        assertThat(url.jdbcUrl()).isEqualTo("jdbc:h2:file:/var/lib/bridge/claude-bridge");
        assertThat(url.user()).isEqualTo("sa");
        assertThat(url.password()).isEmpty();
    }

    @Test
    void theDefaultUrlIsBuiltFromTheAbsoluteDataDir() {
        String url = Persistence.h2Url(Path.of("/srv/data/../data"));
        assertThat(url).isEqualTo("r2dbc:h2:file:////srv/data/claude-bridge");
        assertThat(DatabaseUrl.parse(url).jdbcUrl()).isEqualTo("jdbc:h2:file:/srv/data/claude-bridge");

        String relative = Persistence.h2Url(Path.of("data"));
        assertThat(DatabaseUrl.parse(relative).jdbcUrl())
                .isEqualTo("jdbc:h2:file:" + Path.of("data").toAbsolutePath().normalize() + "/claude-bridge");
    }

    @Test
    void aRelativeH2FileIsRefused() {
        assertThatThrownBy(() -> DatabaseUrl.parse("r2dbc:h2:file:///data/claude-bridge"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("absolute path")
                .hasMessageContaining("four slashes");
    }

    @Test
    void anInMemoryH2DatabaseIsAccepted() {
        DatabaseUrl url = DatabaseUrl.parse("r2dbc:h2:mem:///bridge-test");
        assertThat(url.jdbcUrl()).isEqualTo("jdbc:h2:mem:bridge-test");
    }

    @Test
    void postgresqlCredentialsFromTheUserInfoGoBesideTheJdbcUrl() {
        DatabaseUrl url = DatabaseUrl.parse("r2dbc:postgresql://bridge:s3cret@db.internal:6543/bridge");
        assertThat(url.kind()).isEqualTo(DatabaseUrl.Kind.POSTGRESQL);
        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:6543/bridge");
        assertThat(url.user()).isEqualTo("bridge");
        assertThat(url.password()).isEqualTo("s3cret");
        assertThat(url.toString()).doesNotContain("s3cret");
    }

    @Test
    void postgresqlCredentialsFromTheQueryAndTheDefaultPort() {
        DatabaseUrl url = DatabaseUrl.parse("r2dbc:postgresql://db.internal/bridge?user=bridge&password=s3cret");
        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:5432/bridge");
        assertThat(url.user()).isEqualTo("bridge");
        assertThat(url.password()).isEqualTo("s3cret");
    }

    @Test
    void theSslModeCarriesOverToJdbc() {
        DatabaseUrl url = DatabaseUrl.parse("r2dbc:postgresql://u:p@h:5432/d?sslMode=VERIFY_FULL");
        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://h:5432/d?sslmode=verify-full");
    }

    @Test
    void aPostgresqlUrlWithoutAUserIsRefused() {
        assertThatThrownBy(() -> DatabaseUrl.parse("r2dbc:postgresql://db.internal:5432/bridge"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("user");
    }

    @Test
    void otherDriversAndNonUrlsAreRefusedWithoutShowingThePassword() {
        assertThatThrownBy(() -> DatabaseUrl.parse("r2dbc:mysql://u:s3cret@h:3306/d"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mysql")
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> DatabaseUrl.parse("r2dbc:pool:postgresql://u:s3cret@h/d"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> DatabaseUrl.parse("jdbc:h2:file:/x"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void redactHidesPasswordsInUserInfoAndQuery() {
        assertThat(DatabaseUrl.redact("r2dbc:postgresql://u:s3cret@h/d")).isEqualTo("r2dbc:postgresql://u:***@h/d");
        assertThat(DatabaseUrl.redact("r2dbc:postgresql://h/d?user=u&password=s3cret&x=1"))
                .isEqualTo("r2dbc:postgresql://h/d?user=u&password=***&x=1");
    }
}
