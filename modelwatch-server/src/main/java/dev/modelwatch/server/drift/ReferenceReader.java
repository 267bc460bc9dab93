package dev.modelwatch.server.drift;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.NumberInput;
import com.fasterxml.jackson.dataformat.csv.CsvFactory;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import dev.modelwatch.core.event.FeatureVector;
import dev.modelwatch.server.ingest.BodyException;
import dev.modelwatch.server.ingest.EventDecoder;
import dev.modelwatch.server.ingest.EventDecoder.ReferenceRow;
import dev.modelwatch.server.ingest.IngestLimits;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Reads a reference data set as a stream of rows, never holding more than one row, so that any
 * size can be profiled.
 *
 * <p>Two formats:
 * <ul>
 *   <li>JSON: an array of rows {@code {"features": {...}, "prediction": .., "score": ..,
 *       "scores": {...}, "label": ..}} (values as in prediction events), or an object
 *       {@code {"rows": [...], "feature_importances": {"amount": 0.4, ...}}}.</li>
 *   <li>CSV with a header: the columns {@code prediction}, {@code label} and {@code score} are
 *       those fields, a column {@code scores.<class>} is that class's probability, every other column
 *       is a feature. A cell that reads as a number (also {@code NaN}, {@code Infinity},
 *       {@code -Infinity}) is a number, an empty cell or {@code NA}, {@code N/A}, {@code null} is
 *       missing, anything else is a string.</li>
 * </ul>
 * A row that breaks a rule is rejected with its index and reason, and the others are kept.
 */
public final class ReferenceReader {
    /** Rejected rows reported one by one; the rest are only counted. */
    public static final int MAX_REPORTED_ERRORS = 100;
    private static final Set<String> MISSING = Set.of("", "NA", "N/A", "null", "NULL", "None");
    private static final String SCORES_PREFIX = "scores.";

    private final EventDecoder decoder;
    private final IngestLimits limits;

    public ReferenceReader(EventDecoder decoder, IngestLimits limits) {
        this.decoder = decoder;
        this.limits = limits;
    }

    /** How a read went: rows accepted, rows rejected (the first ones with reasons), importances given. */
    public record Outcome(long accepted, long rejected, List<RowError> errors, Map<String, Double> featureImportances) {
    }

    /** A rejected row: its 0-based index among the data rows, and why. */
    public record RowError(long index, String reason) {
    }

    /** Reads a JSON body; a body that is not JSON of the documented shape is a {@link BodyException}. */
    public Outcome readJson(InputStream in, Consumer<ReferenceRow> sink) throws IOException {
        Tally tally = new Tally();
        Map<String, Double> importances = Map.of();
        try (JsonParser p = decoder.jsonFactory().createParser(in)) {
            JsonToken first = p.nextToken();
            if (first == JsonToken.START_ARRAY) {
                readRows(p, sink, tally);
            } else if (first == JsonToken.START_OBJECT) {
                boolean sawRows = false;
                String field;
                while ((field = p.nextFieldName()) != null) {
                    JsonToken t = p.nextToken();
                    if (field.equals("rows")) {
                        if (t != JsonToken.START_ARRAY) {
                            throw new BodyException(400, "rows: must be an array of rows");
                        }
                        readRows(p, sink, tally);
                        sawRows = true;
                    } else if (field.equals("feature_importances")) {
                        importances = readImportances(p, t);
                    } else {
                        p.skipChildren();
                    }
                }
                if (!sawRows) {
                    throw new BodyException(400, "rows: required (an array of rows)");
                }
            } else {
                throw new BodyException(400, "a reference must be a JSON array of rows or an object with \"rows\"");
            }
            if (p.nextToken() != null) {
                throw new BodyException(400, "unexpected content after the reference at line "
                        + p.currentLocation().getLineNr());
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new BodyException(400, "malformed JSON after " + tally.index + " rows: " + e.getOriginalMessage());
        }
        return tally.outcome(importances);
    }

    private void readRows(JsonParser p, Consumer<ReferenceRow> sink, Tally tally) throws IOException {
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t == null) {
                throw new BodyException(400, "the array of rows is not closed");
            }
            if (t != JsonToken.START_OBJECT) {
                p.skipChildren();
                tally.reject("row must be an object");
                continue;
            }
            ReferenceRow row = decoder.decodeReferenceRow(p);
            if (row.problem() != null) {
                tally.reject(row.problem());
            } else {
                sink.accept(row);
                tally.accept();
            }
        }
    }

    private static Map<String, Double> readImportances(JsonParser p, JsonToken t) throws IOException {
        if (t != JsonToken.START_OBJECT) {
            throw new BodyException(400, "feature_importances: must be an object of feature name to number");
        }
        Map<String, Double> out = new LinkedHashMap<>();
        String name;
        while ((name = p.nextFieldName()) != null) {
            JsonToken v = p.nextToken();
            if (v != JsonToken.VALUE_NUMBER_INT && v != JsonToken.VALUE_NUMBER_FLOAT) {
                throw new BodyException(400, "feature_importances." + name + ": must be a number");
            }
            double w = p.getDoubleValue();
            if (!(Double.isFinite(w) && w >= 0)) {
                throw new BodyException(400, "feature_importances." + name + ": must be a finite number >= 0, got " + w);
            }
            out.put(name, w);
        }
        return out;
    }

    /** Reads CSV with a header row; see the class documentation for the columns. */
    public Outcome readCsv(InputStream in, Consumer<ReferenceRow> sink) throws IOException {
        Tally tally = new Tally();
        CsvFactory factory = new CsvFactory();
        try (CsvParser p = (CsvParser) factory.createParser(in)) {
            p.enable(CsvParser.Feature.WRAP_AS_ARRAY);
            p.enable(CsvParser.Feature.TRIM_SPACES);
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw new BodyException(400, "empty CSV: a header row is required");
            }
            List<String> header = readCsvRow(p);
            if (header == null) {
                throw new BodyException(400, "empty CSV: a header row is required");
            }
            Column[] columns = columns(header);
            List<String> cells;
            while ((cells = readCsvRow(p)) != null) {
                if (cells.size() == 1 && cells.get(0).isEmpty()) {
                    continue; // a blank line
                }
                if (cells.size() != columns.length) {
                    tally.reject("row has " + cells.size() + " cells, the header has " + columns.length);
                    continue;
                }
                ReferenceRow row = csvRow(columns, cells);
                if (row.problem() != null) {
                    tally.reject(row.problem());
                } else {
                    sink.accept(row);
                    tally.accept();
                }
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new BodyException(400, "malformed CSV after " + tally.index + " rows: " + e.getOriginalMessage());
        }
        return tally.outcome(Map.of());
    }

    private static List<String> readCsvRow(CsvParser p) throws IOException {
        JsonToken t = p.nextToken();
        if (t == null || t == JsonToken.END_ARRAY) {
            return null;
        }
        List<String> cells = new ArrayList<>();
        while ((t = p.nextToken()) == JsonToken.VALUE_STRING) {
            cells.add(p.getText());
        }
        return cells;
    }

    private enum Role { FEATURE, PREDICTION, LABEL, SCORE, CLASS_SCORE }

    private record Column(String name, Role role) {
    }

    private Column[] columns(List<String> header) {
        if (header.size() > limits.maxFeatures() + 3 + IngestLimits.MAX_CLASSES) {
            throw new BodyException(413, header.size() + " columns exceed the limit of " + limits.maxFeatures()
                    + " features (ingest.max_features)");
        }
        Column[] columns = new Column[header.size()];
        Set<String> seen = new java.util.HashSet<>();
        int features = 0;
        for (int i = 0; i < columns.length; i++) {
            String name = header.get(i);
            if (name.isEmpty() || name.length() > IngestLimits.MAX_FEATURE_NAME_LENGTH) {
                throw new BodyException(400, "header column " + (i + 1) + ": a name must be 1 to "
                        + IngestLimits.MAX_FEATURE_NAME_LENGTH + " characters");
            }
            if (!seen.add(name)) {
                throw new BodyException(400, "header column " + (i + 1) + ": '" + name + "' appears twice");
            }
            Role role;
            switch (name) {
                case "prediction" -> role = Role.PREDICTION;
                case "label" -> role = Role.LABEL;
                case "score" -> role = Role.SCORE;
                default -> role = name.startsWith(SCORES_PREFIX) && name.length() > SCORES_PREFIX.length()
                        ? Role.CLASS_SCORE : Role.FEATURE;
            }
            if (role == Role.FEATURE && ++features > limits.maxFeatures()) {
                throw new BodyException(413, "more than " + limits.maxFeatures() + " feature columns (ingest.max_features)");
            }
            columns[i] = new Column(role == Role.CLASS_SCORE ? name.substring(SCORES_PREFIX.length()) : name, role);
        }
        return columns;
    }

    private static ReferenceRow csvRow(Column[] columns, List<String> cells) {
        FeatureVector.Builder features = FeatureVector.builder(columns.length);
        Object prediction = null;
        Object label = null;
        Double score = null;
        Map<String, Double> scores = null;
        for (int i = 0; i < columns.length; i++) {
            String cell = cells.get(i);
            Column c = columns[i];
            boolean missing = MISSING.contains(cell);
            Double number = missing ? null : parseNumber(cell);
            if (!missing && number == null && cell.length() > IngestLimits.MAX_STRING_VALUE_LENGTH) {
                return problem(c.name() + ": longer than " + IngestLimits.MAX_STRING_VALUE_LENGTH + " characters");
            }
            switch (c.role()) {
                case FEATURE -> {
                    if (missing) {
                        features.missing(c.name());
                    } else if (number != null) {
                        features.number(c.name(), number);
                    } else {
                        features.string(c.name(), cell);
                    }
                }
                case PREDICTION -> prediction = missing ? null : number != null ? number : cell;
                case LABEL -> {
                    if (number != null && !Double.isFinite(number)) {
                        return problem("label: must be finite, got " + cell);
                    }
                    label = missing ? null : number != null ? number : cell;
                }
                case SCORE -> {
                    if (!missing && number == null) {
                        return problem("score: must be a number, got '" + abbreviate(cell) + "'");
                    }
                    score = number;
                }
                case CLASS_SCORE -> {
                    if (!missing && number == null) {
                        return problem("scores." + c.name() + ": must be a number, got '" + abbreviate(cell) + "'");
                    }
                    if (number != null) {
                        if (scores == null) {
                            scores = new LinkedHashMap<>();
                        }
                        scores.put(c.name(), number);
                    }
                }
                default -> throw new IllegalStateException();
            }
        }
        if (score != null && scores != null) {
            return problem("score and scores: a row has a score column and scores.<class> columns; use one");
        }
        return new ReferenceRow(features.build(), prediction, score, scores, label, null);
    }

    private static ReferenceRow problem(String why) {
        return new ReferenceRow(Map.of(), null, null, null, null, why);
    }

    /** The cell as a number, or null when it is not one. */
    static Double parseNumber(String s) {
        Double special = EventDecoder.nonFinite(s);
        if (special != null) {
            return special;
        }
        char c = s.charAt(0);
        if (!(c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.')) {
            return null;
        }
        try {
            return NumberInput.parseDouble(s, true);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 61) + "...";
    }

    private static final class Tally {
        long index;
        long accepted;
        long rejected;
        final List<RowError> errors = new ArrayList<>();

        void accept() {
            accepted++;
            index++;
        }

        void reject(String why) {
            if (errors.size() < MAX_REPORTED_ERRORS) {
                errors.add(new RowError(index, why));
            }
            rejected++;
            index++;
        }

        Outcome outcome(Map<String, Double> importances) {
            return new Outcome(accepted, rejected, List.copyOf(errors), importances);
        }
    }
}
