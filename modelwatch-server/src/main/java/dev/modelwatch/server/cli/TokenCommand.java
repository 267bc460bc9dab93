package dev.modelwatch.server.cli;

import dev.modelwatch.server.auth.ApiTokens;
import dev.modelwatch.server.auth.CreatedToken;
import dev.modelwatch.server.auth.TokenView;
import dev.modelwatch.server.config.ConfigException;
import dev.modelwatch.server.config.ServerConfig;
import dev.modelwatch.store.Store;
import dev.modelwatch.store.StoreException;
import dev.modelwatch.store.StoredToken;
import dev.modelwatch.store.Stores;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code modelwatch token create|list|revoke}: works on the configured database directly, so that the
 * first admin token exists before the server starts (a running server sees it within a second).
 */
@Command(name = "token", mixinStandardHelpOptions = true, description = "Creates, lists and revokes API tokens.",
        subcommands = {TokenCommand.Create.class, TokenCommand.ListTokens.class, TokenCommand.Revoke.class})
final class TokenCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: create, list or revoke");
    }

    /** Where the tokens are: the same options as {@code serve}. */
    static class StoreOptions extends Main.DataOptions {
        Store open() throws java.io.IOException {
            ServerConfig c = resolve();
            if (c.db() == null) {
                Files.createDirectories(c.dataDir());
            }
            return Stores.open(c.jdbcUrl(), c.sketches());
        }
    }

    abstract static class OnStore implements Callable<Integer> {
        @CommandLine.Mixin
        StoreOptions where;

        @Override
        public Integer call() {
            try (Store store = where.open()) {
                return run(new ApiTokens(store.tokens(), Clock.systemUTC(), new SecureRandom(), Long.MAX_VALUE / 4));
            } catch (ConfigException | IllegalArgumentException e) {
                System.err.println("modelwatch token: " + e.getMessage());
                return 2;
            } catch (StoreException | java.io.IOException e) {
                System.err.println("modelwatch token: the database cannot be used: " + e.getMessage());
                return 1;
            }
        }

        abstract int run(ApiTokens tokens);
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Creates a token and prints it once: it is stored only as a hash and cannot be shown again.")
    static final class Create extends OnStore {
        @Option(names = "--name", required = true, paramLabel = "NAME", description = "what the token is for")
        String name;
        @Option(names = "--scope", required = true, paramLabel = "SCOPES", split = ",",
                description = "ingest, read and/or admin, comma-separated")
        List<String> scopes;

        @Override
        int run(ApiTokens tokens) {
            CreatedToken t = tokens.create(name, scopes);
            System.out.println(t.token());
            System.err.println("token " + t.id() + " ('" + t.name() + "', scopes " + String.join(",", t.scopes())
                    + ") created; the line above is its secret, shown only now: send it as 'Authorization: Bearer <token>'");
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the tokens (never their secrets).")
    static final class ListTokens extends OnStore {
        @Override
        int run(ApiTokens tokens) {
            System.out.printf("%-12s  %-24s  %-18s  %-24s  %-24s  %s%n", "ID", "NAME", "SCOPES", "CREATED", "LAST USED",
                    "REVOKED");
            for (StoredToken s : tokens.all()) {
                TokenView t = TokenView.of(s);
                System.out.printf("%-12s  %-24s  %-18s  %-24s  %-24s  %s%n", t.id(), t.name(), String.join(",", t.scopes()),
                        t.createdAt(), t.lastUsedAt() == null ? "-" : t.lastUsedAt(), t.revokedAt() == null ? "-" : t.revokedAt());
            }
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revokes a token by its id.")
    static final class Revoke extends OnStore {
        @Parameters(paramLabel = "ID", description = "the token's id (see token list)")
        String id;

        @Override
        int run(ApiTokens tokens) {
            if (!tokens.revoke(id)) {
                System.err.println("modelwatch token: no token with id '" + id + "'");
                return 1;
            }
            System.out.println("token " + id + " revoked");
            return 0;
        }
    }
}
