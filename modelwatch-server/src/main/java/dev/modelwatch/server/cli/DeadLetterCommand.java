package dev.modelwatch.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelwatch.server.config.ConfigLoader;
import dev.modelwatch.server.deadletter.DeadLetterEntry;
import dev.modelwatch.server.deadletter.DeadLetters;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code modelwatch dead-letter list|show|replay}: the events parked because storage kept refusing
 * their model. {@code list} and {@code show} read the data directory; {@code replay} asks the
 * running server, which owns the data directory, to send an entry's events through ingest again.
 */
@Command(name = "dead-letter", mixinStandardHelpOptions = true,
        description = "Lists, shows and replays events parked because storage kept refusing their model.",
        subcommands = {DeadLetterCommand.ListEntries.class, DeadLetterCommand.Show.class, DeadLetterCommand.Replay.class})
final class DeadLetterCommand implements Runnable {
    private static final ObjectMapper JSON = new ObjectMapper();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: list, show or replay");
    }

    /** Where the dead-letter directory is: {@code --data-dir}, else the configuration's, else ./data. */
    static class Location {
        @Option(names = "--data-dir", paramLabel = "DIR", description = "data directory (default: the configuration's, or ./data)")
        Path dataDir;
        @Option(names = "--config", paramLabel = "FILE", description = "modelwatch.yml, for its data directory")
        Path config;

        /** The dead letters of the data directory, or null after printing why there are none to read. */
        DeadLetters openOrReport() {
            try {
                Path d = dataDir;
                if (d == null) {
                    d = config != null ? ConfigLoader.load(config).dataDir() : Path.of("data");
                }
                return new DeadLetters(DeadLetters.in(d), null, null, Clock.systemUTC());
            } catch (RuntimeException e) {
                System.err.println("modelwatch: " + e.getMessage());
                return null;
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the entries waiting for a replay.")
    static final class ListEntries implements Callable<Integer> {
        @CommandLine.Mixin
        Location location = new Location();
        @Option(names = "--all", description = "also the entries already replayed")
        boolean all;

        @Override
        public Integer call() {
            DeadLetters letters = location.openOrReport();
            if (letters == null) {
                return 1;
            }
            List<DeadLetterEntry> entries = letters.list(all);
            if (entries.isEmpty()) {
                System.out.println("no dead-letter entries");
                return 0;
            }
            System.out.printf("%-48s %-24s %8s  %-24s %s%n", "ID", "MODEL", "EVENTS", "PARKED AT", "REASON");
            for (DeadLetterEntry e : entries) {
                System.out.printf("%-48s %-24s %8d  %-24s %s%s%n", e.id(), e.model().isEmpty() ? "(none)" : e.model(),
                        e.events(), e.parkedAt(), e.reason(), e.replayedAt() == null ? "" : " [replayed " + e.replayedAt() + "]");
            }
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Prints an entry: what, when and why as JSON, then its events, one per line.")
    static final class Show implements Callable<Integer> {
        @CommandLine.Mixin
        Location location = new Location();
        @Parameters(paramLabel = "ID", description = "the entry (see list)")
        String id;

        @Override
        public Integer call() throws IOException {
            DeadLetters letters = location.openOrReport();
            if (letters == null) {
                return 1;
            }
            var entry = letters.find(id);
            if (entry.isEmpty()) {
                System.err.println("modelwatch: no dead-letter entry '" + id + "'");
                return 1;
            }
            System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(entry.get()));
            System.out.print(new String(letters.events(id), StandardCharsets.UTF_8));
            return 0;
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true,
            description = "Asks the running server to send an entry's events through ingest again (once the cause "
                    + "is fixed); prints how many were accepted and why any was rejected. Exit code 1 on failure.")
    static final class Replay implements Callable<Integer> {
        @Parameters(paramLabel = "ID", description = "the entry (see list)")
        String id;
        @Option(names = "--url", paramLabel = "URL", defaultValue = "http://127.0.0.1:8080",
                description = "the server (default http://127.0.0.1:8080)")
        String url;
        @Option(names = "--token-env", paramLabel = "VAR", defaultValue = "MODELWATCH_TOKEN",
                description = "environment variable holding an API token, sent as a Bearer token when set "
                        + "(default MODELWATCH_TOKEN)")
        String tokenEnv;

        @Override
        public Integer call() {
            ServerClient client = new ServerClient(url, tokenEnv);
            HttpRequest request = client.request("/api/v1/dead-letters/" + ServerClient.encode(id) + "/replay")
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build();
            HttpResponse<String> r = client.send(request, new PrintWriter(System.err, true)).orElse(null);
            if (r == null) {
                return 1;
            }
            (r.statusCode() == 200 ? System.out : System.err).println(r.body());
            return r.statusCode() == 200 ? 0 : 1;
        }
    }
}
