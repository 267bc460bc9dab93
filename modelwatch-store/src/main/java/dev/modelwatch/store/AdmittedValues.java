package dev.modelwatch.store;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a model has been admitted under the server's limits, in the order it was admitted: feature
 * names, segment keys with their values, and class names. Committed with the profiles and the
 * log position they reflect, so that a restart continues from the same sets and replays the log
 * with the same decisions.
 *
 * @param segments segment key to its admitted values
 */
public record AdmittedValues(String model, Set<String> features, Map<String, Set<String>> segments,
                             Set<String> classes) {
    private static final byte FORMAT_VERSION = 1;

    public AdmittedValues {
        Objects.requireNonNull(model, "model");
        features = frozen(features);
        Map<String, Set<String>> s = new LinkedHashMap<>();
        if (segments != null) {
            segments.forEach((k, v) -> s.put(k, frozen(v)));
        }
        segments = java.util.Collections.unmodifiableMap(s);
        classes = frozen(classes);
    }

    private static Set<String> frozen(Collection<String> c) {
        return java.util.Collections.unmodifiableSet(new LinkedHashSet<>(c == null ? Set.of() : c));
    }

    public byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT_VERSION);
            writeStrings(out, features);
            out.writeInt(segments.size());
            for (Map.Entry<String, Set<String>> e : segments.entrySet()) {
                out.writeUTF(e.getKey());
                writeStrings(out, e.getValue());
            }
            writeStrings(out, classes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static AdmittedValues fromBytes(String model, byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            byte version = in.readByte();
            if (version != FORMAT_VERSION) {
                throw new IllegalArgumentException("unknown admitted-values format version " + version);
            }
            Set<String> features = readStrings(in);
            int keys = in.readInt();
            Map<String, Set<String>> segments = new LinkedHashMap<>();
            for (int i = 0; i < keys; i++) {
                String key = in.readUTF();
                segments.put(key, readStrings(in));
            }
            return new AdmittedValues(model, features, segments, readStrings(in));
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt admitted values of model " + model, e);
        }
    }

    private static void writeStrings(DataOutputStream out, Collection<String> strings) throws IOException {
        out.writeInt(strings.size());
        for (String s : strings) {
            out.writeUTF(s);
        }
    }

    private static Set<String> readStrings(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            throw new IOException("corrupt count " + n);
        }
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < n; i++) {
            out.add(in.readUTF());
        }
        return out;
    }
}
