package dev.modelwatch.server.diagnosis;

import dev.modelwatch.server.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs {@code modelwatch ...} in this JVM and keeps its exit code, standard output and error. */
record DiagnoseCli(int exitCode, String out, String err) {
    static DiagnoseCli run(String... args) {
        CommandLine cli = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new DiagnoseCli(code, out.toString(), err.toString());
    }
}
