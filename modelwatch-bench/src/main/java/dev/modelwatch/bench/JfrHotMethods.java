package dev.modelwatch.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Summarises the execution samples of a flight recording by thread group (thread names with
 * digits folded): the hottest methods by own time, and the product and library methods by
 * inclusive time. Java 17's {@code jfr} tool prints samples one by one but has no such view.
 *
 * <pre>
 * java -XX:StartFlightRecording=filename=ingest.jfr,settings=profile -jar modelwatch-bench-*-all.jar
 * java -cp modelwatch-bench-*-all.jar dev.modelwatch.bench.JfrHotMethods ingest.jfr [top] [min-samples]
 * </pre>
 */
public final class JfrHotMethods {
    private static final String INCLUSIVE_OF_INTEREST =
            "^(dev\\.modelwatch|com\\.fasterxml|org\\.sqlite|org\\.apache\\.datasketches|java\\.io\\.DataOutputStream).*";

    private JfrHotMethods() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: JfrHotMethods FILE.jfr [top (default 15)] [min samples per group (default 50)]");
            System.exit(2);
        }
        int top = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        int minSamples = args.length > 2 ? Integer.parseInt(args[2]) : 50;
        Map<String, Map<String, Integer>> self = new TreeMap<>();
        Map<String, Map<String, Integer>> inclusive = new TreeMap<>();
        Map<String, Integer> totals = new TreeMap<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(args[0]))) {
            String type = e.getEventType().getName();
            boolean nativeSample = type.equals("jdk.NativeMethodSample");
            if (!nativeSample && !type.equals("jdk.ExecutionSample")) {
                continue;
            }
            if (e.getStackTrace() == null || e.getStackTrace().getFrames().isEmpty()) {
                continue;
            }
            RecordedThread thread = e.getThread("sampledThread");
            String name = thread == null || thread.getJavaName() == null ? "?" : thread.getJavaName();
            String group = name.replaceAll("\\d+", "N") + (nativeSample ? " [in native code]" : "");
            totals.merge(group, 1, Integer::sum);
            List<RecordedFrame> frames = e.getStackTrace().getFrames();
            self.computeIfAbsent(group, k -> new HashMap<>()).merge(method(frames.get(0)), 1, Integer::sum);
            Set<String> seen = new HashSet<>();
            for (RecordedFrame f : frames) {
                String m = method(f);
                if (seen.add(m) && m.matches(INCLUSIVE_OF_INTEREST)) {
                    inclusive.computeIfAbsent(group, k -> new HashMap<>()).merge(m, 1, Integer::sum);
                }
            }
        }
        for (Map.Entry<String, Integer> g : totals.entrySet()) {
            if (g.getValue() < minSamples) {
                continue;
            }
            System.out.printf("=== %s: %d samples%n  own time:%n", g.getKey(), g.getValue());
            print(self.get(g.getKey()), g.getValue(), top);
            System.out.println("  inclusive (product, Jackson, SQLite, DataSketches):");
            print(inclusive.getOrDefault(g.getKey(), Map.of()), g.getValue(), top);
        }
    }

    private static void print(Map<String, Integer> counts, int total, int top) {
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(top)
                .forEach(c -> System.out.printf("    %5.1f%%  %s%n", 100.0 * c.getValue() / total, c.getKey()));
    }

    private static String method(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }
}
