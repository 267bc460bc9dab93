package dev.modelwatch.server.alert.template;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a {@link GoTemplate} into text and actions, and each action into tokens, handling the trim
 * markers and comments as Go's {@code text/template} lexer does.
 */
final class TemplateLexer {
    private TemplateLexer() {
    }


    enum TokenKind { IDENT, FIELD, DOT, VAR, STRING, NUMBER, PIPE, LPAREN, RPAREN }

    record Token(TokenKind kind, String text, int pos) {
    }

    /** Literal text ({@code tokens} null) or one action's tokens; {@code pos} is where it starts. */
    record Item(String text, List<Token> tokens, int pos) {
    }

    static final class Lexer {
        private final String src;
        private final List<Item> items = new ArrayList<>();
        private final StringBuilder text = new StringBuilder();
        private int textPos;

        Lexer(String src) {
            this.src = src;
        }

        List<Item> items() {
            int i = 0;
            boolean trimNext = false;
            while (i <= src.length()) {
                int open = src.indexOf("{{", i);
                int end = open < 0 ? src.length() : open;
                int from = i;
                if (trimNext) {
                    while (from < end && Character.isWhitespace(src.charAt(from))) {
                        from++;
                    }
                }
                if (text.length() == 0) {
                    textPos = from;
                }
                text.append(src, from, end);
                if (open < 0) {
                    break;
                }
                int j = open + 2;
                if (j + 1 < src.length() && src.charAt(j) == '-' && Character.isWhitespace(src.charAt(j + 1))) {
                    int n = text.length();
                    while (n > 0 && Character.isWhitespace(text.charAt(n - 1))) {
                        n--;
                    }
                    text.setLength(n);
                    j++;
                }
                flushText();
                List<Token> tokens = new ArrayList<>();
                int[] close = new int[2]; // index after '}}', trim flag
                lexAction(open, j, tokens, close);
                if (!tokens.isEmpty()) {
                    items.add(new Item(null, tokens, open));
                } else if (!isComment(open, close[0])) {
                    throw error(src, open, "empty action {{ }}");
                }
                i = close[0];
                trimNext = close[1] == 1;
            }
            flushText();
            return items;
        }

        private boolean isComment(int open, int after) {
            return src.substring(open, after).contains("/*");
        }

        private void flushText() {
            if (text.length() > 0) {
                items.add(new Item(text.toString(), null, textPos));
                text.setLength(0);
            }
        }

        private void lexAction(int open, int start, List<Token> tokens, int[] close) {
            int k = start;
            while (true) {
                while (k < src.length() && Character.isWhitespace(src.charAt(k))) {
                    k++;
                }
                if (k >= src.length()) {
                    throw error(src, open, "unclosed action: '{{' without '}}'");
                }
                char c = src.charAt(k);
                if (src.startsWith("-}}", k) && k > start && Character.isWhitespace(src.charAt(k - 1))) {
                    close[0] = k + 3;
                    close[1] = 1;
                    return;
                }
                if (src.startsWith("}}", k)) {
                    close[0] = k + 2;
                    close[1] = 0;
                    return;
                }
                if (src.startsWith("/*", k)) {
                    if (!tokens.isEmpty()) {
                        throw error(src, k, "a comment must be the whole action");
                    }
                    int endComment = src.indexOf("*/", k + 2);
                    if (endComment < 0) {
                        throw error(src, k, "unclosed comment");
                    }
                    k = endComment + 2;
                    int m = k;
                    while (m < src.length() && Character.isWhitespace(src.charAt(m))) {
                        m++;
                    }
                    if (!(src.startsWith("}}", m) || (src.startsWith("-}}", m) && m > k))) {
                        throw error(src, k, "a comment must be followed by '}}'");
                    }
                    continue;
                }
                if (c == '|') {
                    tokens.add(new Token(TokenKind.PIPE, "|", k++));
                } else if (c == '(') {
                    tokens.add(new Token(TokenKind.LPAREN, "(", k++));
                } else if (c == ')') {
                    tokens.add(new Token(TokenKind.RPAREN, ")", k++));
                } else if (c == '"') {
                    k = lexString(k, tokens);
                } else if (c == '`') {
                    int e = src.indexOf('`', k + 1);
                    if (e < 0) {
                        throw error(src, k, "unterminated raw string");
                    }
                    tokens.add(new Token(TokenKind.STRING, src.substring(k + 1, e), k));
                    k = e + 1;
                } else if (c == '.' || c == '$') {
                    int e = k + 1;
                    if (c == '.' && (e >= src.length() || !isIdentStart(src.charAt(e)))) {
                        tokens.add(new Token(TokenKind.DOT, ".", k));
                        k = e;
                        continue;
                    }
                    int p = c == '.' ? k : k + 1;
                    if (c == '$') {
                        while (p < src.length() && isIdentPart(src.charAt(p))) {
                            p++;
                        }
                    }
                    while (p < src.length() && src.charAt(p) == '.' && p + 1 < src.length()
                            && isIdentStart(src.charAt(p + 1))) {
                        p += 2;
                        while (p < src.length() && isIdentPart(src.charAt(p))) {
                            p++;
                        }
                    }
                    if (p < src.length() && src.charAt(p) == '.') {
                        throw error(src, p, "a field name must follow '.'");
                    }
                    tokens.add(new Token(c == '.' ? TokenKind.FIELD : TokenKind.VAR, src.substring(k, p), k));
                    k = p;
                } else if (Character.isDigit(c) || (c == '-' && k + 1 < src.length() && Character.isDigit(src.charAt(k + 1)))) {
                    int e = digits(k + 1);
                    if (e < src.length() && src.charAt(e) == '.') {
                        e = digits(e + 1);
                    }
                    if (e < src.length() && (src.charAt(e) == 'e' || src.charAt(e) == 'E')) {
                        int x = e + 1;
                        if (x < src.length() && (src.charAt(x) == '+' || src.charAt(x) == '-')) {
                            x++;
                        }
                        if (x < src.length() && Character.isDigit(src.charAt(x))) {
                            e = digits(x);
                        }
                    }
                    if (e < src.length() && (isIdentPart(src.charAt(e)) || src.charAt(e) == '.')) {
                        throw error(src, k, "malformed number (integers: 3, floats: 0.5, 1e3)");
                    }
                    tokens.add(new Token(TokenKind.NUMBER, src.substring(k, e), k));
                    k = e;
                } else if (isIdentStart(c)) {
                    int e = k + 1;
                    while (e < src.length() && isIdentPart(src.charAt(e))) {
                        e++;
                    }
                    tokens.add(new Token(TokenKind.IDENT, src.substring(k, e), k));
                    k = e;
                } else if (c == ':' || c == '=') {
                    Token last = tokens.isEmpty() ? null : tokens.get(tokens.size() - 1);
                    throw error(src, last != null && last.kind == TokenKind.VAR ? last.pos : k,
                            "variables are not supported (no ':=' or '=')");
                } else {
                    throw error(src, k, "unexpected '" + c + "' in an action");
                }
            }
        }

        private int digits(int from) {
            int e = from;
            while (e < src.length() && Character.isDigit(src.charAt(e))) {
                e++;
            }
            return e;
        }

        private int lexString(int k, List<Token> tokens) {
            StringBuilder sb = new StringBuilder();
            int j = k + 1;
            while (j < src.length()) {
                char d = src.charAt(j);
                if (d == '"') {
                    tokens.add(new Token(TokenKind.STRING, sb.toString(), k));
                    return j + 1;
                }
                if (d == '\n') {
                    break;
                }
                if (d == '\\' && j + 1 < src.length()) {
                    char e = src.charAt(j + 1);
                    int decoded = StringEscapes.decode(e);
                    if (decoded < 0) {
                        throw error(src, j, "unsupported escape '\\" + e + "' in a string");
                    }
                    sb.append((char) decoded);
                    j += 2;
                    continue;
                }
                sb.append(d);
                j++;
            }
            throw error(src, k, "unterminated string");
        }
    }

    private static boolean isIdentStart(char c) {
        return Character.isLetter(c) || c == '_';
    }

    private static boolean isIdentPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }

    static TemplateSyntaxException error(String src, int pos, String why) {
        int line = 1;
        int col = 1;
        for (int i = 0; i < pos && i < src.length(); i++) {
            if (src.charAt(i) == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        return new TemplateSyntaxException(line, col, why);
    }
}
