package dev.modelwatch.server.alert.template;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The static type of a template value, so that {@link GoTemplate#parse} can refuse an unknown field or
 * a function applied to a value it does not take when the configuration is loaded, never when an
 * alert fires. Scalars are {@link #STRING} ({@code String}), {@link #INT} ({@code Long}),
 * {@link #FLOAT} ({@code Double}), {@link #BOOL} ({@code Boolean}) and {@link #LABELS} (a
 * {@code Map<String, String>} whose every field is a string, empty when absent, as Go's
 * {@code map[string]string}); a {@link #struct} has named fields read by functions; a {@link #list} has
 * an element type (what {@code range} binds to the dot) and may have fields of its own
 * ({@code .Alerts.Firing}).
 *
 * <p>Usage (a schema is built once, in a static initializer, then only read):
 * <pre>{@code
 * TemplateType series = TemplateType.struct("the series")
 *         .field("Labels", TemplateType.LABELS, s -> ((Series) s).labels())
 *         .field("Value", TemplateType.FLOAT, s -> ((Series) s).value())
 *         .variable("value", TemplateType.FLOAT, s -> ((Series) s).value());
 * GoTemplate t = GoTemplate.parse("{{ $value | printf \"%.2f\" }}", series);
 * }</pre>
 */
public final class TemplateType {
    /** What a value is. */
    public enum Kind {
        STRING, INT, FLOAT, BOOL, LABELS, LIST, STRUCT
    }

    /** A field (or a root variable): its type and how to read it from its owner. */
    public record Field(TemplateType type, Function<Object, Object> get) {
    }

    public static final TemplateType STRING = new TemplateType(Kind.STRING, "a string", null);
    public static final TemplateType INT = new TemplateType(Kind.INT, "a number", null);
    public static final TemplateType FLOAT = new TemplateType(Kind.FLOAT, "a float", null);
    public static final TemplateType BOOL = new TemplateType(Kind.BOOL, "a boolean", null);
    public static final TemplateType LABELS = new TemplateType(Kind.LABELS, "a label map", null);

    private final Kind kind;
    private final String description;
    private final TemplateType element;
    private final Map<String, Field> fields = new LinkedHashMap<>();
    private final Map<String, Field> variables = new LinkedHashMap<>();
    private Function<String, String> hint = name -> "";
    private String printHint = "name one of its fields";

    private TemplateType(Kind kind, String description, TemplateType element) {
        this.kind = kind;
        this.description = description;
        this.element = element;
    }

    /** A record-like value, described in messages as {@code description} ({@code an alert}). */
    public static TemplateType struct(String description) {
        return new TemplateType(Kind.STRUCT, description, null);
    }

    /** A list of {@code element}s ({@code List<?>}), described as {@code description}. */
    public static TemplateType list(String description, TemplateType element) {
        TemplateType t = new TemplateType(Kind.LIST, description, element);
        t.printHint = "use {{ range }} or {{ len }}";
        return t;
    }

    /** Adds the field {@code name} of this struct or list. */
    public TemplateType field(String name, TemplateType type, Function<Object, Object> get) {
        if (kind != Kind.STRUCT && kind != Kind.LIST) {
            throw new IllegalStateException(description + " has no fields");
        }
        fields.put(name, new Field(type, get));
        return this;
    }

    /** Adds the variable {@code $name}, read from the root value, when this is a template's root type. */
    public TemplateType variable(String name, TemplateType type, Function<Object, Object> get) {
        variables.put(name, new Field(type, get));
        return this;
    }

    /** What to add to "unknown field .X" for {@code X} (e.g. where that field is found), "" for nothing. */
    public TemplateType unknownFieldHint(Function<String, String> hint) {
        this.hint = hint;
        return this;
    }

    public Kind kind() {
        return kind;
    }

    /** How messages name a value of this type ({@code a string}, {@code an alert}). */
    public String description() {
        return description;
    }

    /** The element type of a list, null for other kinds. */
    public TemplateType element() {
        return element;
    }

    /** The fields, in the order they were added. */
    public Map<String, Field> fields() {
        return Collections.unmodifiableMap(fields);
    }

    /** Whether a value of this type can be printed. */
    boolean printable() {
        return kind != Kind.LIST && kind != Kind.STRUCT;
    }

    String printHint() {
        return printHint;
    }

    Field variableNamed(String name) {
        return variables.get(name);
    }

    List<String> variableNames() {
        List<String> out = new ArrayList<>();
        out.add("$");
        for (String v : variables.keySet()) {
            out.add("$" + v);
        }
        return out;
    }

    boolean hasVariables() {
        return !variables.isEmpty();
    }

    /** The field {@code name}, or the reason it does not exist. */
    Object fieldOrProblem(String name) {
        if (kind == Kind.LABELS) {
            return new Field(STRING, m -> {
                Object v = ((Map<?, ?>) m).get(name);
                return v == null ? "" : v;
            });
        }
        if (kind != Kind.STRUCT && kind != Kind.LIST) {
            return "cannot take field ." + name + " of " + description;
        }
        Field f = fields.get(name);
        if (f != null) {
            return f;
        }
        if (kind == Kind.LIST) {
            return "unknown field ." + name + " of " + description + " (" + String.join(", ", fields.keySet()) + ")";
        }
        return "unknown field ." + name + " (fields of " + description + ": "
                + String.join(", ", new TreeSet<>(fields.keySet())) + ")" + hint.apply(name);
    }

    @Override
    public String toString() {
        return description;
    }
}
