package dev.modelwatch.server.alert.template;

/** The escapes of a double-quoted string in the template languages (annotations and notifications). */
public final class StringEscapes {
    private StringEscapes() {
    }

    /** The character {@code \}{@code e} stands for ({@code \n}, {@code \t}, {@code \\}, {@code \"}), or -1 for none. */
    public static int decode(char e) {
        return switch (e) {
            case 'n' -> '\n';
            case 't' -> '\t';
            case '\\' -> '\\';
            case '"' -> '"';
            default -> -1;
        };
    }
}
