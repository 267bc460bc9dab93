package dev.modelwatch.core.event;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * An event's features as parallel arrays: names, numbers (unboxed, NaN and infinities allowed)
 * and strings, with a kind per entry. It reads as an immutable {@code Map<String, Object>} (a
 * {@link Double}, a {@link String} or null per name, in arrival order), but ingest builds it and
 * profiles read it without a hash node or a boxed double per value — per event these dominated the
 * allocation of the ingest path.
 *
 * <pre>{@code
 * FeatureVector.Builder b = FeatureVector.builder(20);
 * b.number("amount", 12.5).string("country", "DE").missing("age");
 * FeatureVector v = b.build();          // null when a name repeats: see Builder#build
 * }</pre>
 */
public final class FeatureVector extends AbstractMap<String, Object> {
    /** The kind of an entry. */
    public static final byte NUMBER = 0;
    public static final byte STRING = 1;
    public static final byte MISSING = 2;

    private final String[] names;
    private final byte[] kinds;
    private final double[] numbers;
    private final String[] strings;
    private final int size;

    private FeatureVector(String[] names, byte[] kinds, double[] numbers, String[] strings, int size) {
        this.names = names;
        this.kinds = kinds;
        this.numbers = numbers;
        this.strings = strings;
        this.size = size;
    }

    public static Builder builder(int expectedSize) {
        return new Builder(Math.max(4, expectedSize));
    }

    @Override
    public int size() {
        return size;
    }

    public String name(int i) {
        return names[i];
    }

    public byte kind(int i) {
        return kinds[i];
    }

    public double number(int i) {
        return numbers[i];
    }

    public String string(int i) {
        return strings[i];
    }

    private Object value(int i) {
        return switch (kinds[i]) {
            case NUMBER -> numbers[i];
            case STRING -> strings[i];
            default -> null;
        };
    }

    @Override
    public Object get(Object key) {
        for (int i = 0; i < size; i++) {
            if (names[i].equals(key)) {
                return value(i);
            }
        }
        return null;
    }

    @Override
    public boolean containsKey(Object key) {
        for (int i = 0; i < size; i++) {
            if (names[i].equals(key)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public int size() {
                return size;
            }

            @Override
            public Iterator<Entry<String, Object>> iterator() {
                return new Iterator<>() {
                    private int i;

                    @Override
                    public boolean hasNext() {
                        return i < size;
                    }

                    @Override
                    public Entry<String, Object> next() {
                        if (i >= size) {
                            throw new NoSuchElementException();
                        }
                        int at = i++;
                        return new SimpleImmutableEntry<>(names[at], value(at));
                    }
                };
            }
        };
    }

    /** Collects entries in arrival order. Not thread-safe; one per event. */
    public static final class Builder {
        private String[] names;
        private byte[] kinds;
        private double[] numbers;
        private String[] strings;
        private int size;

        private Builder(int capacity) {
            names = new String[capacity];
            kinds = new byte[capacity];
            numbers = new double[capacity];
            strings = new String[capacity];
        }

        private int next(String name) {
            if (size == names.length) {
                int n = size * 2;
                names = Arrays.copyOf(names, n);
                kinds = Arrays.copyOf(kinds, n);
                numbers = Arrays.copyOf(numbers, n);
                strings = Arrays.copyOf(strings, n);
            }
            names[size] = name;
            return size++;
        }

        public Builder number(String name, double value) {
            int i = next(name);
            kinds[i] = NUMBER;
            numbers[i] = value;
            return this;
        }

        public Builder string(String name, String value) {
            int i = next(name);
            kinds[i] = STRING;
            strings[i] = value;
            return this;
        }

        public Builder missing(String name) {
            int i = next(name);
            kinds[i] = MISSING;
            return this;
        }

        public int size() {
            return size;
        }

        /** The first name given twice, or null (a JSON object with a repeated name is ambiguous). */
        public String repeatedName() {
            if (size > 64) {
                java.util.HashSet<String> seen = new java.util.HashSet<>(size * 2);
                for (int i = 0; i < size; i++) {
                    if (!seen.add(names[i])) {
                        return names[i];
                    }
                }
                return null;
            }
            // compare cached hash codes first: names of one length (emb_0, emb_1, ...) would
            // otherwise be compared byte by byte, pair by pair
            int[] hashes = new int[size];
            for (int i = 0; i < size; i++) {
                hashes[i] = names[i].hashCode();
            }
            for (int i = 1; i < size; i++) {
                int h = hashes[i];
                for (int j = 0; j < i; j++) {
                    if (hashes[j] == h && names[i].equals(names[j])) {
                        return names[i];
                    }
                }
            }
            return null;
        }

        public FeatureVector build() {
            return new FeatureVector(names, kinds, numbers, strings, size);
        }
    }
}
