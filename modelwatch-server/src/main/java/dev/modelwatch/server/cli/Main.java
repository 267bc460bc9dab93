package dev.modelwatch.server.cli;

import dev.modelwatch.server.ModelWatchServer;
import dev.modelwatch.server.config.ConfigException;
import dev.modelwatch.server.config.ConfigLoader;
import dev.modelwatch.server.config.ServerConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code modelwatch} command line: {@code serve} and {@code demo}. */
@Command(name = "modelwatch", mixinStandardHelpOptions = true, version = "ModelWatch 0.1.0",
        description = "Monitors machine-learning models in production: metrics, drift, alerts and diagnosis.",
        subcommands = {Main.Serve.class, Main.Demo.class, Main.Rules.class, Main.AlertCommand.class,
                DeadLetterCommand.class, TokenCommand.class, AgentCommand.class, DiagnoseCommand.class,
                SimulateCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        int code = commandLine().execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }

    /** The command line with its error handling: a bad flag prints the reason and the usage, exit code 2. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setParameterExceptionHandler((ex, args) -> {
            CommandLine cmd = ex.getCommandLine();
            java.io.PrintWriter err = cmd.getErr();
            err.println("modelwatch: " + ex.getMessage());
            cmd.usage(err);
            err.flush();
            return 2;
        });
        return cli;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: serve or demo");
    }

    /** Where the configuration and the data are: shared by {@code serve} and {@code token}. */
    static class DataOptions {
        @Option(names = "--config", paramLabel = "FILE", description = "modelwatch.yml (every key optional)")
        Path config;
        @Option(names = "--data-dir", paramLabel = "DIR", description = "data directory (default ./data)")
        Path dataDir;
        @Option(names = "--db", paramLabel = "JDBC_URL",
                description = "jdbc:postgresql:... or jdbc:mariadb:... (default: embedded SQLite in the data directory)")
        String db;

        ServerConfig resolve() {
            ServerConfig c = config == null ? ServerConfig.defaults() : ConfigLoader.load(config);
            if (dataDir != null) {
                c = c.withDataDir(dataDir);
            }
            if (db != null) {
                c = c.withDb(db);
            }
            return c;
        }
    }

    /** Options shared by the commands that start a server. */
    static class ServerOptions extends DataOptions {
        @Option(names = "--port", paramLabel = "N", description = "HTTP port (default 8080; 0 picks a free one)")
        Integer port;
        @Option(names = "--bind", paramLabel = "ADDR", description = "address to listen on (default 127.0.0.1)")
        String bind;
        @Option(names = "--insecure-no-auth",
                description = "no token checks, even when listening beyond loopback (server.insecure_no_auth)")
        boolean insecureNoAuth;

        @Override
        ServerConfig resolve() {
            ServerConfig c = super.resolve();
            if (port != null) {
                c = c.withPort(port);
            }
            if (bind != null) {
                c = c.withBind(bind);
            }
            if (insecureNoAuth) {
                c = c.withAccess(new dev.modelwatch.server.auth.AccessConfig(c.access().mode(), true,
                        c.access().externalUrl(), c.access().tls()));
            }
            return c;
        }
    }

    static int runServer(ServerConfig config, java.util.function.Consumer<ModelWatchServer> whileRunning) {
        ModelWatchServer server;
        try {
            server = ModelWatchServer.start(config, Clock.systemUTC());
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "modelwatch-shutdown"));
        whileRunning.accept(server);
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    @Command(name = "serve", mixinStandardHelpOptions = true, description = "Runs the ModelWatch server.")
    static final class Serve implements Callable<Integer> {
        @CommandLine.Mixin
        ServerOptionsMixin options;

        @Override
        public Integer call() {
            ServerConfig config;
            try {
                config = options.resolve();
            } catch (ConfigException e) {
                System.err.println(e.getMessage());
                return 2;
            }
            return runServer(config, s -> { });
        }
    }

    @Command(name = "rules", mixinStandardHelpOptions = true, description = "Works with alerting rule files.",
            subcommands = {Main.RulesCheck.class})
    static final class Rules implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: check");
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Validates a rule file (Prometheus-style groups, or a whole modelwatch.yml): every problem"
                    + " with its line; exit code 1 when there is one.")
    static final class RulesCheck implements Callable<Integer> {
        @CommandLine.Parameters(paramLabel = "FILE", description = "the rule file")
        Path file;

        @Override
        public Integer call() {
            String text;
            try {
                text = java.nio.file.Files.readString(file);
            } catch (java.io.IOException e) {
                System.err.println(file + ": cannot be read: " + e.getMessage());
                return 1;
            }
            try {
                System.out.println(file + ": OK, " + dev.modelwatch.server.config.ConfigLoader.checkRules(text,
                        file.toString()));
                return 0;
            } catch (ConfigException e) {
                System.err.println(e.getMessage());
                return 1;
            }
        }
    }

    @Command(name = "alert", mixinStandardHelpOptions = true, description = "Works with alert receivers.",
            subcommands = {Main.AlertTest.class})
    static final class AlertCommand implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: test");
        }
    }

    @Command(name = "test", mixinStandardHelpOptions = true,
            description = "Sends a test notification through every integration of a receiver of the configuration"
                    + " file and prints each outcome; exit code 1 when one fails.")
    static final class AlertTest implements Callable<Integer> {
        @Option(names = "--receiver", required = true, paramLabel = "NAME", description = "the receiver")
        String receiver;
        @Option(names = "--config", required = true, paramLabel = "FILE", description = "the configuration file")
        Path config;

        @Override
        public Integer call() {
            ServerConfig c;
            try {
                c = dev.modelwatch.server.config.ConfigLoader.load(config);
            } catch (ConfigException e) {
                System.err.println(e.getMessage());
                return 2;
            }
            java.util.List<dev.modelwatch.server.alert.notify.Notifier> integrations =
                    dev.modelwatch.server.ModelWatchServer.withNotifiers(c, java.time.Clock.systemUTC())
                            .receivers().get(receiver);
            if (integrations == null) {
                System.err.println("no receiver '" + receiver + "' in " + config + "; receivers: "
                        + c.alerting().receivers().keySet());
                return 2;
            }
            if (integrations.isEmpty()) {
                System.err.println("receiver '" + receiver + "' has no integrations (webhook_configs, email_configs, ...)");
                return 1;
            }
            var n = dev.modelwatch.server.alert.notify.TestNotification.builder(receiver, System.currentTimeMillis())
                    .label("alertname", "ModelWatchTest").label("severity", "info")
                    .annotation("summary", "a test notification from modelwatch alert test").build();
            int failed = 0;
            for (var in : integrations) {
                var r = in.send(n);
                System.out.println(receiver + " " + in.name() + ": " + (r.delivered() ? "delivered"
                        : (r.retryable() ? "failed (retryable): " : "failed: ") + r.describedError()));
                failed += r.delivered() ? 0 : 1;
            }
            return failed == 0 ? 0 : 1;
        }
    }

    @Command(name = "demo", mixinStandardHelpOptions = true,
            description = "Runs the server with a real neural network in production, its training run, and a"
                    + " scripted sequence of faults, on a compressed clock; Ctrl-C stops it.")
    static final class Demo implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Option(names = "--port", paramLabel = "N", description = "HTTP port (default 8080; 0 picks a free one)")
        Integer port;
        @Option(names = "--data-dir", paramLabel = "DIR",
                description = "data directory (default: a temporary one, removed at the end)")
        Path dataDir;
        @Option(names = "--speed", paramLabel = "N", defaultValue = "60",
                description = "demo time per wall-clock time (default 60: one demo hour a minute)")
        double speed;

        @Override
        public Integer call() {
            dev.modelwatch.server.demo.Demo.Options options;
            try {
                options = new dev.modelwatch.server.demo.Demo.Options(port == null ? 8080 : port, dataDir, speed);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            java.util.concurrent.ScheduledExecutorService timer =
                    java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "modelwatch-demo"));
            java.util.concurrent.ExecutorService hooks =
                    java.util.concurrent.Executors.newSingleThreadExecutor(r -> daemon(r, "modelwatch-demo-webhook"));
            dev.modelwatch.server.demo.Demo demo;
            try {
                demo = dev.modelwatch.server.demo.Demo.start(options, new dev.modelwatch.server.demo.Demo.Services(
                        Clock.systemUTC(), System::nanoTime, new java.util.SplittableRandom(42), timer, hooks),
                        System.out::println);
            } catch (ConfigException e) {
                System.err.println(e.getMessage());
                return 2;
            }
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                System.out.println("demo: stopping");
                demo.close();
                timer.shutdownNow();
                hooks.shutdownNow();
                stopped.countDown();
            }, "modelwatch-demo-shutdown"));
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return 0;
        }

        private static Thread daemon(Runnable r, String name) {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        }
    }

    /** picocli mixin wrapper so that every server command shares the same options. */
    static final class ServerOptionsMixin extends ServerOptions {
    }
}
