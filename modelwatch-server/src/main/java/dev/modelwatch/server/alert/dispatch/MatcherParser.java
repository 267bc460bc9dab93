package dev.modelwatch.server.alert.dispatch;

import dev.modelwatch.core.rules.LabelMatcher;
import dev.modelwatch.core.rules.SeriesLabels;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.PatternSyntaxException;

/**
 * Reads label matchers written as in Alertmanager's configuration and {@code amtool}:
 * {@code severity="critical"}, {@code team!=ops}, {@code model=~"fraud|churn"}, {@code env!~"dev.*"},
 * one per string or several in braces ({@code {severity="critical", team="ml"}}). Values may be
 * double-quoted (with {@code \" \\ \n \t} escapes) or bare (up to a comma or a closing brace, white
 * space trimmed). Regular expressions are anchored, as {@link LabelMatcher} matches them.
 *
 * <p>Usage: {@code List<LabelMatcher> ms = MatcherParser.parseList("{severity=\"critical\", team=~\"ml|data\"}");}
 */
public final class MatcherParser {
    private final String text;
    private int pos;

    private MatcherParser(String text) {
        this.text = text;
    }

    /**
     * One matcher.
     *
     * @throws IllegalArgumentException saying what is wrong and where
     */
    public static LabelMatcher parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("matcher must not be null");
        }
        MatcherParser p = new MatcherParser(text);
        p.skipSpace();
        LabelMatcher m = p.matcher(false);
        p.skipSpace();
        if (p.pos != text.length()) {
            throw p.error("unexpected '" + text.substring(p.pos) + "' after the matcher");
        }
        return m;
    }

    /**
     * Matchers separated by commas, in optional braces ({@code {a="1", b=~"2"}} or {@code a="1", b=~"2"}).
     *
     * @throws IllegalArgumentException saying what is wrong and where
     */
    public static List<LabelMatcher> parseList(String text) {
        if (text == null) {
            throw new IllegalArgumentException("matchers must not be null");
        }
        MatcherParser p = new MatcherParser(text);
        p.skipSpace();
        boolean braces = p.pos < text.length() && text.charAt(p.pos) == '{';
        if (braces) {
            p.pos++;
        }
        List<LabelMatcher> out = new ArrayList<>();
        p.skipSpace();
        while (p.pos < text.length() && !(braces && text.charAt(p.pos) == '}')) {
            out.add(p.matcher(true));
            p.skipSpace();
            if (p.pos < text.length() && text.charAt(p.pos) == ',') {
                p.pos++;
                p.skipSpace();
            } else {
                break;
            }
        }
        if (braces) {
            if (p.pos >= text.length() || text.charAt(p.pos) != '}') {
                throw p.error("missing '}'");
            }
            p.pos++;
        }
        p.skipSpace();
        if (p.pos != text.length()) {
            throw p.error("unexpected '" + text.substring(p.pos) + "'");
        }
        return out;
    }

    private IllegalArgumentException error(String why) {
        return new IllegalArgumentException("matcher '" + text + "': " + why + " at column " + (pos + 1));
    }

    private void skipSpace() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private LabelMatcher matcher(boolean inList) {
        int start = pos;
        while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
            pos++;
        }
        String name = text.substring(start, pos);
        if (name.isEmpty()) {
            throw error("expected a label name");
        }
        if (!SeriesLabels.isLabelName(name)) {
            pos = start;
            throw error("'" + name + "' is not a label name");
        }
        skipSpace();
        LabelMatcher.Type type;
        if (text.startsWith("=~", pos)) {
            type = LabelMatcher.Type.REGEX;
        } else if (text.startsWith("!~", pos)) {
            type = LabelMatcher.Type.NOT_REGEX;
        } else if (text.startsWith("!=", pos)) {
            type = LabelMatcher.Type.NOT_EQUAL;
        } else if (text.startsWith("=", pos)) {
            type = LabelMatcher.Type.EQUAL;
        } else {
            throw error("expected one of = != =~ !~ after '" + name + "'");
        }
        pos += type.symbol().length();
        skipSpace();
        String value;
        if (pos < text.length() && text.charAt(pos) == '"') {
            value = quoted();
        } else {
            int vs = pos;
            while (pos < text.length() && !(inList && (text.charAt(pos) == ',' || text.charAt(pos) == '}'))) {
                if (text.charAt(pos) == '"') {
                    throw error("a bare value must not hold '\"'; quote the whole value");
                }
                pos++;
            }
            value = text.substring(vs, pos).trim();
        }
        try {
            return LabelMatcher.of(name, type, value);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("matcher '" + text + "': invalid regular expression \"" + value + "\": "
                    + e.getDescription());
        }
    }

    private String quoted() {
        int open = pos;
        pos++;
        StringBuilder sb = new StringBuilder();
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '"') {
                pos++;
                return sb.toString();
            }
            if (c == '\\' && pos + 1 < text.length()) {
                char e = text.charAt(pos + 1);
                switch (e) {
                    case '"':
                    case '\\':
                        sb.append(e);
                        break;
                    case 'n':
                        sb.append('\n');
                        break;
                    case 't':
                        sb.append('\t');
                        break;
                    default:
                        throw error("unknown escape '\\" + e + "'");
                }
                pos += 2;
                continue;
            }
            sb.append(c);
            pos++;
        }
        pos = open;
        throw error("unterminated quoted value");
    }
}
