package dev.claudebridge.mattermost;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.claudebridge.config.MattermostConfig;
import dev.claudebridge.core.inbound.AccessPolicy;
import dev.claudebridge.core.inbound.Actor;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Who a Mattermost user is to the core's access policy. Mattermost has no roles to give, so a user's teams play
 * their part: {@code MATTERMOST_ALLOWED_TEAMS} are the policy's roles, and an actor's roles are the bot's teams the
 * user is a member of ({@code GET /teams/{team}/members/{user}}: a bot may not list another user's teams). A user
 * who shares no team with the bot is out of scope, and refused, as a Discord user outside the server is.
 * Usernames and team names in the settings become ids once, at start.
 */
final class People {
    private static final Logger log = LoggerFactory.getLogger(People.class);
    /** How long a user's teams are trusted before they are asked again (a user removed from a team loses access). */
    static final Duration TEAMS_TTL = Duration.ofMinutes(5);
    private static final Pattern ID = Pattern.compile("[a-z0-9]{26}");

    private final MattermostApi api;
    private final Clock clock;
    private final Map<String, Known> teamsOf = new ConcurrentHashMap<>();
    private volatile List<String> botTeams = List.of();
    private volatile AccessPolicy policy = new AccessPolicy(Set.of(), Set.of(), false);

    private record Known(Set<String> teams, Instant at) {
    }

    People(MattermostApi api, Clock clock) {
        this.api = api;
        this.clock = clock;
    }

    /** Reads the bot's teams and turns the allowed usernames and team names into ids. */
    Mono<Void> load(MattermostConfig settings) {
        List<String> names = settings.allowedUsers().stream().filter(u -> !ID.matcher(u).matches()).toList();
        Set<String> userIds = new HashSet<>(settings.allowedUsers().stream().filter(u -> ID.matcher(u).matches())
                .toList());
        Mono<Void> users = names.isEmpty() ? Mono.empty() : api.post("/users/usernames", array(names))
                .doOnNext(found -> {
                    Set<String> seen = new HashSet<>();
                    found.forEach(u -> {
                        userIds.add(u.path("id").asText());
                        seen.add(u.path("username").asText());
                    });
                    names.stream().filter(n -> !seen.contains(n)).forEach(n ->
                            log.warn("MATTERMOST_ALLOWED_USERS names {}, who is not a user of this server", n));
                }).then();
        return users.then(api.get("/users/me/teams")).map(teams -> {
            Set<String> teamIds = new HashSet<>();
            List<String> mine = new java.util.ArrayList<>();
            teams.forEach(t -> mine.add(t.path("id").asText()));
            for (String allowed : settings.allowedTeams()) {
                boolean found = false;
                for (JsonNode t : teams) {
                    if (t.path("id").asText().equals(allowed) || t.path("name").asText().equals(allowed)) {
                        teamIds.add(t.path("id").asText());
                        found = true;
                    }
                }
                if (!found) {
                    log.warn("MATTERMOST_ALLOWED_TEAMS names {}, which is not a team of the bot account: add the "
                            + "bot to it", allowed);
                }
            }
            if (mine.isEmpty()) {
                log.warn("the bot account is in no team: nobody can use it until it is added to one");
            }
            botTeams = List.copyOf(mine);
            policy = new AccessPolicy(userIds, teamIds, false);
            return teamIds;
        }).then();
    }

    AccessPolicy policy() {
        return policy;
    }

    /** The user as the policy sees them: their teams among the bot's (asked at most every {@link #TEAMS_TTL}). */
    Mono<Actor> actor(String userId) {
        Known known = teamsOf.get(userId);
        Instant now = clock.instant();
        if (known != null && known.at().plus(TEAMS_TTL).isAfter(now)) {
            return Mono.just(actor(userId, known.teams()));
        }
        return Flux.fromIterable(botTeams)
                .concatMap(team -> api.get("/teams/" + team + "/members/" + userId)
                        .filter(m -> m.path("delete_at").asLong(0) == 0)
                        .map(m -> team)
                        .onErrorResume(MattermostApiException.class, e -> e.status() == 404 || e.status() == 403
                                ? Mono.empty() : Mono.error(e)))
                .collect(java.util.stream.Collectors.toUnmodifiableSet())
                .doOnNext(teams -> teamsOf.put(userId, new Known(teams, now)))
                .map(teams -> actor(userId, teams));
    }

    private static Actor actor(String userId, Set<String> teams) {
        return new Actor(userId, teams, !teams.isEmpty());
    }

    private static ArrayNode array(List<String> values) {
        ArrayNode a = MattermostApi.JSON.createArrayNode();
        values.forEach(a::add);
        return a;
    }
}
