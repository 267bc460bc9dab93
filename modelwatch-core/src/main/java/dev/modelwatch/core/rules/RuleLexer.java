package dev.modelwatch.core.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a rule expression into tokens: numbers ({@code 5}, {@code 0.9}, {@code .5}, {@code 1e-3},
 * {@code NaN}, {@code Inf}, case-insensitive), durations ({@code 5m}, {@code 1h30m}; the grammar
 * of {@link Durations}), strings in double or single quotes with escapes
 * ({@code \\ \" \' \n \r \t \\uXXXX}) or raw in backquotes, identifiers
 * ({@code [a-zA-Z_][a-zA-Z0-9_:]*}; keywords are identifiers the parser recognizes), punctuation and
 * operators. {@code #} starts a comment to the end of the line.
 */
final class RuleLexer {
    enum Type {
        NUMBER, DURATION, STRING, IDENTIFIER,
        LEFT_PAREN("'('"), RIGHT_PAREN("')'"), LEFT_BRACE("'{'"), RIGHT_BRACE("'}'"),
        LEFT_BRACKET("'['"), RIGHT_BRACKET("']'"), COMMA("','"), COLON("':'"),
        PLUS("'+'"), MINUS("'-'"), STAR("'*'"), SLASH("'/'"), PERCENT("'%'"), CARET("'^'"),
        EQ_EQ("'=='"), BANG_EQ("'!='"), LESS("'<'"), GREATER("'>'"), LESS_EQ("'<='"), GREATER_EQ("'>='"),
        ASSIGN("'='"), EQ_TILDE("'=~'"), BANG_TILDE("'!~'"), EOF("end of input");

        private final String description;

        Type() {
            this.description = null;
        }

        Type(String description) {
            this.description = description;
        }

        /** How error messages name a token of this type; null for those that show their text. */
        String description() {
            return description;
        }
    }

    /**
     * One token.
     *
     * @param text   the source text (for a string, its decoded value)
     * @param number the value of a NUMBER
     * @param millis the length of a DURATION
     * @param column 1-based column of its first character
     */
    record Token(Type type, String text, double number, long millis, int column) {
        boolean is(Type t) {
            return type == t;
        }

        /** Whether this is the identifier {@code keyword}. */
        boolean isKeyword(String keyword) {
            return type == Type.IDENTIFIER && text.equals(keyword);
        }

        /** As error messages name it: {@code ')'}, {@code end of input}, {@code 'foo'}, {@code string "x"}. */
        String describe() {
            switch (type) {
                case NUMBER:
                    return "number " + text;
                case DURATION:
                    return "duration " + text;
                case STRING:
                    StringBuilder sb = new StringBuilder("string ");
                    LabelMatcher.appendQuoted(sb, text);
                    return sb.toString();
                case IDENTIFIER:
                    return "'" + text + "'";
                default:
                    return type.description();
            }
        }
    }

    private final String input;
    private int pos;
    private final List<Token> tokens = new ArrayList<>();

    private RuleLexer(String input) {
        this.input = input;
    }

    /** The tokens of {@code input}, ending with EOF at column {@code length + 1}. */
    static List<Token> tokenize(String input) {
        RuleLexer lexer = new RuleLexer(input);
        lexer.run();
        return lexer.tokens;
    }

    private void run() {
        while (true) {
            skipSpaceAndComments();
            if (pos >= input.length()) {
                tokens.add(new Token(Type.EOF, "", 0, 0, pos + 1));
                return;
            }
            char c = input.charAt(pos);
            int start = pos;
            if (isDigit(c) || (c == '.' && pos + 1 < input.length() && isDigit(input.charAt(pos + 1)))) {
                number();
            } else if (isIdentifierStart(c)) {
                identifier();
            } else if (c == '"' || c == '\'' || c == '`') {
                string(c);
            } else {
                Type t = punctuation(c);
                tokens.add(new Token(t, input.substring(start, pos), 0, 0, start + 1));
            }
        }
    }

    private void skipSpaceAndComments() {
        while (pos < input.length()) {
            char c = input.charAt(pos);
            if (Character.isWhitespace(c)) {
                pos++;
            } else if (c == '#') {
                while (pos < input.length() && input.charAt(pos) != '\n') {
                    pos++;
                }
            } else {
                return;
            }
        }
    }

    private Type punctuation(char c) {
        int start = pos;
        pos++;
        char next = pos < input.length() ? input.charAt(pos) : '\0';
        switch (c) {
            case '(':
                return Type.LEFT_PAREN;
            case ')':
                return Type.RIGHT_PAREN;
            case '{':
                return Type.LEFT_BRACE;
            case '}':
                return Type.RIGHT_BRACE;
            case '[':
                return Type.LEFT_BRACKET;
            case ']':
                return Type.RIGHT_BRACKET;
            case ',':
                return Type.COMMA;
            case ':':
                return Type.COLON;
            case '+':
                return Type.PLUS;
            case '-':
                return Type.MINUS;
            case '*':
                return Type.STAR;
            case '/':
                return Type.SLASH;
            case '%':
                return Type.PERCENT;
            case '^':
                return Type.CARET;
            case '=':
                if (next == '=') {
                    pos++;
                    return Type.EQ_EQ;
                }
                if (next == '~') {
                    pos++;
                    return Type.EQ_TILDE;
                }
                return Type.ASSIGN;
            case '!':
                if (next == '=') {
                    pos++;
                    return Type.BANG_EQ;
                }
                if (next == '~') {
                    pos++;
                    return Type.BANG_TILDE;
                }
                throw new RuleParseException("unexpected character '!'", start + 1, "did you mean '!=' or '!~'?");
            case '<':
                if (next == '=') {
                    pos++;
                    return Type.LESS_EQ;
                }
                return Type.LESS;
            case '>':
                if (next == '=') {
                    pos++;
                    return Type.GREATER_EQ;
                }
                return Type.GREATER;
            case '@':
                throw new RuleParseException("the @ modifier is not supported", start + 1);
            default:
                throw new RuleParseException("unexpected character '" + new String(Character.toChars(
                        input.codePointAt(start))) + "'", start + 1);
        }
    }

    private void number() {
        int start = pos;
        skipDigits();
        boolean integer = true;
        if (pos < input.length() && input.charAt(pos) == '.') {
            integer = false;
            pos++;
            skipDigits();
        }
        if (pos < input.length() && (input.charAt(pos) == 'e' || input.charAt(pos) == 'E')) {
            int e = pos + 1;
            if (e < input.length() && (input.charAt(e) == '+' || input.charAt(e) == '-')) {
                e++;
            }
            if (e < input.length() && isDigit(input.charAt(e))) {
                integer = false;
                pos = e;
                skipDigits();
            }
        }
        if (integer && pos < input.length() && Durations.isUnitStart(input.charAt(pos))) {
            pos = start;
            duration();
            return;
        }
        if (pos < input.length() && (isIdentifierPart(input.charAt(pos)) || input.charAt(pos) == '.')) {
            while (pos < input.length() && (isIdentifierPart(input.charAt(pos)) || input.charAt(pos) == '.')) {
                pos++;
            }
            throw new RuleParseException("invalid number or duration '" + input.substring(start, pos) + "'", start + 1);
        }
        String text = input.substring(start, pos);
        tokens.add(new Token(Type.NUMBER, text, Double.parseDouble(text), 0, start + 1));
    }

    private void duration() {
        int start = pos;
        while (pos < input.length() && isIdentifierPart(input.charAt(pos))) {
            pos++;
        }
        String text = input.substring(start, pos);
        String problem = Durations.problem(text);
        if (problem != null) {
            throw new RuleParseException((problem.equals("too large") ? "duration '" + text + "' is too large"
                    : "invalid duration '" + text + "': " + problem), start + 1);
        }
        tokens.add(new Token(Type.DURATION, text, 0, Durations.parseMillis(text), start + 1));
    }

    private void identifier() {
        int start = pos;
        pos++;
        while (pos < input.length() && (isIdentifierPart(input.charAt(pos)) || input.charAt(pos) == ':')) {
            pos++;
        }
        String text = input.substring(start, pos);
        if (text.equalsIgnoreCase("nan")) {
            tokens.add(new Token(Type.NUMBER, text, Double.NaN, 0, start + 1));
        } else if (text.equalsIgnoreCase("inf")) {
            tokens.add(new Token(Type.NUMBER, text, Double.POSITIVE_INFINITY, 0, start + 1));
        } else {
            tokens.add(new Token(Type.IDENTIFIER, text, 0, 0, start + 1));
        }
    }

    private void string(char quote) {
        int start = pos;
        pos++;
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= input.length() || (quote != '`' && input.charAt(pos) == '\n')) {
                throw new RuleParseException("unterminated string", start + 1);
            }
            char c = input.charAt(pos);
            if (c == quote) {
                pos++;
                break;
            }
            if (c == '\\' && quote != '`') {
                pos++;
                sb.append(escape(pos - 1));
                continue;
            }
            sb.append(c);
            pos++;
        }
        tokens.add(new Token(Type.STRING, sb.toString(), 0, 0, start + 1));
    }

    /** The character an escape sequence stands for; {@code pos} is just after the backslash at {@code slash}. */
    private char escape(int slash) {
        if (pos >= input.length()) {
            throw new RuleParseException("unterminated string", slash + 1);
        }
        char c = input.charAt(pos++);
        switch (c) {
            case '\\':
                return '\\';
            case '"':
                return '"';
            case '\'':
                return '\'';
            case 'n':
                return '\n';
            case 'r':
                return '\r';
            case 't':
                return '\t';
            case 'u':
                if (pos + 4 <= input.length()) {
                    String hex = input.substring(pos, pos + 4);
                    if (hex.chars().allMatch(h -> Character.digit(h, 16) >= 0)) {
                        pos += 4;
                        return (char) Integer.parseInt(hex, 16);
                    }
                }
                throw new RuleParseException("invalid unicode escape; write \\u and 4 hex digits", slash + 1);
            default:
                throw new RuleParseException("unknown escape sequence '\\" + c + "'", slash + 1,
                        "write a backslash as \\\\ or use a `raw string`");
        }
    }

    private void skipDigits() {
        while (pos < input.length() && isDigit(input.charAt(pos))) {
            pos++;
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isIdentifierStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    }

    private static boolean isIdentifierPart(char c) {
        return isIdentifierStart(c) || isDigit(c);
    }
}
