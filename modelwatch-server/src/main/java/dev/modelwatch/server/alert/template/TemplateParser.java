package dev.modelwatch.server.alert.template;

import dev.modelwatch.server.alert.template.GoTemplate.Call;
import dev.modelwatch.server.alert.template.GoTemplate.Expr;
import dev.modelwatch.server.alert.template.GoTemplate.Field;
import dev.modelwatch.server.alert.template.GoTemplate.If;
import dev.modelwatch.server.alert.template.GoTemplate.Literal;
import dev.modelwatch.server.alert.template.GoTemplate.Node;
import dev.modelwatch.server.alert.template.GoTemplate.Print;
import dev.modelwatch.server.alert.template.GoTemplate.Range;
import dev.modelwatch.server.alert.template.GoTemplate.Scope;
import dev.modelwatch.server.alert.template.GoTemplate.Text;
import dev.modelwatch.server.alert.template.TemplateLexer.Item;
import dev.modelwatch.server.alert.template.TemplateLexer.Token;
import dev.modelwatch.server.alert.template.TemplateLexer.TokenKind;
import dev.modelwatch.server.alert.template.TemplateType.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Builds a {@link GoTemplate}'s tree from its lexed items, checking every field, variable and function
 * against the {@link TemplateType}s as it goes.
 */
final class TemplateParser {
    private TemplateParser() {
    }


    static final class Parser {
        private final String src;
        private final List<Item> items;
        private final TemplateType root;
        private int next;
        /** The {@code else}/{@code end} item that ended the last {@link #parseList}, null at the end. */
        Item terminator;

        Parser(String src, List<Item> items, TemplateType root) {
            this.src = src;
            this.items = items;
            this.root = root;
        }

        TemplateSyntaxException error(int pos, String why) {
            return TemplateLexer.error(src, pos, why);
        }

        List<Node> parseList(TemplateType dot) {
            List<Node> out = new ArrayList<>();
            while (next < items.size()) {
                Item item = items.get(next++);
                if (item.tokens() == null) {
                    out.add(new Text(item.text()));
                    continue;
                }
                Token head = item.tokens().get(0);
                String keyword = head.kind() == TokenKind.IDENT ? head.text() : "";
                switch (keyword) {
                    case "else":
                    case "end":
                        terminator = item;
                        return out;
                    case "if":
                        out.add(parseIf(item, dot));
                        break;
                    case "range":
                        out.add(parseRange(item, dot));
                        break;
                    case "with":
                    case "define":
                    case "template":
                    case "block":
                    case "break":
                    case "continue":
                        throw error(head.pos(), "{{ " + keyword + " }} is not supported (supported: if, else, range, end)");
                    default:
                        Expr e = new ActionParser(this, item.tokens(), 0, dot).whole();
                        if (!e.type().printable()) {
                            throw error(head.pos(), "cannot print " + e.type().description() + ": " + e.type().printHint());
                        }
                        out.add(new Print(e));
                }
            }
            terminator = null;
            return out;
        }

        private Node parseIf(Item item, TemplateType dot) {
            List<Expr> conditions = new ArrayList<>();
            List<List<Node>> bodies = new ArrayList<>();
            Item current = item;
            int condStart = 1;
            while (true) {
                if (current.tokens().size() <= condStart) {
                    throw error(current.tokens().get(condStart - 1).pos(), "{{ if }} needs a condition");
                }
                conditions.add(new ActionParser(this, current.tokens(), condStart, dot).whole());
                bodies.add(parseList(dot));
                Item t = terminator;
                if (t == null) {
                    throw error(item.pos(), "{{ if }} without {{ end }}");
                }
                List<Token> ts = t.tokens();
                if (ts.get(0).text().equals("end")) {
                    requireAlone(t);
                    return new If(conditions, bodies, List.of());
                }
                if (ts.size() > 1 && ts.get(1).kind() == TokenKind.IDENT && ts.get(1).text().equals("if")) {
                    current = t;
                    condStart = 2;
                    continue;
                }
                requireAlone(t);
                List<Node> otherwise = parseList(dot);
                if (terminator == null || !terminator.tokens().get(0).text().equals("end")) {
                    throw error(terminator == null ? item.pos() : terminator.pos(), terminator == null
                            ? "{{ if }} without {{ end }}" : "a second {{ else }} in one {{ if }}");
                }
                requireAlone(terminator);
                return new If(conditions, bodies, otherwise);
            }
        }

        private Node parseRange(Item item, TemplateType dot) {
            if (item.tokens().size() < 2) {
                throw error(item.tokens().get(0).pos(), "{{ range }} needs a list: {{ range .Alerts }}");
            }
            Expr list = new ActionParser(this, item.tokens(), 1, dot).whole();
            if (list.type().kind() != Kind.LIST) {
                throw error(item.tokens().get(1).pos(), "range over " + list.type().description()
                        + " (only over a list, such as .Alerts)");
            }
            List<Node> body = parseList(list.type().element());
            Item t = terminator;
            if (t == null) {
                throw error(item.pos(), "{{ range }} without {{ end }}");
            }
            requireAlone(t);
            if (t.tokens().get(0).text().equals("end")) {
                return new Range(list, body, List.of());
            }
            List<Node> otherwise = parseList(dot);
            if (terminator == null || !terminator.tokens().get(0).text().equals("end")) {
                throw error(terminator == null ? item.pos() : terminator.pos(), terminator == null
                        ? "{{ range }} without {{ end }}" : "a second {{ else }} in one {{ range }}");
            }
            requireAlone(terminator);
            return new Range(list, body, otherwise);
        }

        private void requireAlone(Item t) {
            if (t.tokens().size() > 1) {
                throw error(t.tokens().get(1).pos(), "unexpected '" + t.tokens().get(1).text() + "' after {{ "
                        + t.tokens().get(0).text() + " }}");
            }
        }
    }

    /** Parses one action's pipeline from a token index, with static types. */
    private static final class ActionParser {
        private final Parser parser;
        private final List<Token> ts;
        private int p;
        private final TemplateType dot;

        ActionParser(Parser parser, List<Token> ts, int from, TemplateType dot) {
            this.parser = parser;
            this.ts = ts;
            this.p = from;
            this.dot = dot;
        }

        Expr whole() {
            Expr e = pipeline();
            if (p < ts.size()) {
                throw parser.error(ts.get(p).pos(), "unexpected '" + ts.get(p).text() + "'");
            }
            return e;
        }

        private Token peek() {
            return p < ts.size() ? ts.get(p) : null;
        }

        private int endPos() {
            Token last = ts.get(ts.size() - 1);
            return last.pos() + Math.max(1, last.text().length());
        }

        private Expr pipeline() {
            Expr e = command(null);
            while (peek() != null && peek().kind() == TokenKind.PIPE) {
                p++;
                e = command(e);
            }
            return e;
        }

        private Expr command(Expr piped) {
            Token t = peek();
            if (t == null || t.kind() == TokenKind.PIPE || t.kind() == TokenKind.RPAREN) {
                throw parser.error(t == null ? endPos() : t.pos(), piped == null ? "missing value" : "'|' without a function after it");
            }
            if (t.kind() == TokenKind.IDENT && !t.text().equals("true") && !t.text().equals("false")) {
                p++;
                TemplateFunction f = TemplateFunction.byName(t.text());
                if (f == null) {
                    throw parser.error(t.pos(), keywordOrFunction(t.text()));
                }
                List<Expr> args = new ArrayList<>();
                while (peek() != null && peek().kind() != TokenKind.PIPE && peek().kind() != TokenKind.RPAREN) {
                    args.add(operand());
                }
                if (piped != null) {
                    args.add(piped);
                }
                GoFormat format = null;
                if (f == TemplateFunction.PRINTF && !args.isEmpty() && args.get(0) instanceof Literal
                        && ((Literal) args.get(0)).value() instanceof String) {
                    try {
                        format = GoFormat.parse((String) ((Literal) args.get(0)).value());
                    } catch (IllegalArgumentException e) {
                        throw parser.error(t.pos(), e.getMessage());
                    }
                }
                Object r = f.check(args, format);
                if (r instanceof String) {
                    throw parser.error(t.pos(), (String) r);
                }
                return new Call(f, List.copyOf(args), (TemplateType) r, format);
            }
            Expr o = operand();
            if (piped != null) {
                throw parser.error(t.pos(), "after '|' a function is expected, was '" + t.text() + "'");
            }
            Token after = peek();
            if (after != null && after.kind() != TokenKind.PIPE && after.kind() != TokenKind.RPAREN) {
                throw parser.error(after.pos(), "unexpected '" + after.text() + "' after a value (a function comes first: eq .Status \"firing\")");
            }
            return o;
        }

        private String keywordOrFunction(String name) {
            if (Set.of("if", "else", "end", "range").contains(name)) {
                return "'" + name + "' must start its own action: {{ " + name + " ... }}";
            }
            return "unknown function '" + name + "' (functions: " + TemplateFunction.names() + ")";
        }

        private Expr operand() {
            Token t = ts.get(p++);
            switch (t.kind()) {
                case STRING:
                    return new Literal(t.text(), TemplateType.STRING);
                case NUMBER:
                    try {
                        boolean isFloat = t.text().indexOf('.') >= 0 || t.text().indexOf('e') >= 0 || t.text().indexOf('E') >= 0;
                        return isFloat ? new Literal(Double.parseDouble(t.text()), TemplateType.FLOAT)
                                : new Literal(Long.parseLong(t.text()), TemplateType.INT);
                    } catch (NumberFormatException e) {
                        throw parser.error(t.pos(), "number out of range");
                    }
                case DOT:
                    return new Field(Scope::dot, List.of(), dot);
                case FIELD:
                    return field(Scope::dot, t.text().substring(1), dot, t.pos() + 1);
                case VAR:
                    return variable(t);
                case IDENT:
                    if (t.text().equals("true") || t.text().equals("false")) {
                        return new Literal(Boolean.valueOf(t.text()), TemplateType.BOOL);
                    }
                    if (TemplateFunction.byName(t.text()) != null) {
                        throw parser.error(t.pos(), "a function used as an argument needs parentheses: (" + t.text() + " ...)");
                    }
                    throw parser.error(t.pos(), keywordOrFunction(t.text()));
                case LPAREN: {
                    Expr e = pipeline();
                    Token close = peek();
                    if (close == null || close.kind() != TokenKind.RPAREN) {
                        throw parser.error(t.pos(), "unclosed '('");
                    }
                    p++;
                    return e;
                }
                default:
                    throw parser.error(t.pos(), "unexpected '" + t.text() + "'");
            }
        }

        private Expr variable(Token t) {
            TemplateType root = parser.root;
            if (t.text().equals("$")) {
                return new Field(Scope::root, List.of(), root);
            }
            if (t.text().startsWith("$.")) {
                return field(Scope::root, t.text().substring(2), root, t.pos() + 2);
            }
            int dotAt = t.text().indexOf('.');
            String name = t.text().substring(1, dotAt < 0 ? t.text().length() : dotAt);
            TemplateType.Field v = root.variableNamed(name);
            if (v == null) {
                throw parser.error(t.pos(), root.hasVariables()
                        ? "unknown variable '$" + name + "' (variables: " + String.join(", ", root.variableNames()) + ")"
                        : "variables are not supported (only $ and $.Field)");
            }
            Function<Object, Object> get = v.get();
            Function<Scope, Object> start = s -> get.apply(s.root());
            return dotAt < 0 ? new Field(start, List.of(), v.type())
                    : field(start, t.text().substring(dotAt + 1), v.type(), t.pos() + dotAt + 1);
        }

        /** The chain {@code A.B.C} read from {@code start} of type {@code type}; {@code pos}: where A is. */
        private Expr field(Function<Scope, Object> start, String chain, TemplateType type, int pos) {
            List<Function<Object, Object>> reads = new ArrayList<>();
            TemplateType t = type;
            int at = pos;
            for (String name : chain.split("\\.")) {
                Object f = t.fieldOrProblem(name);
                if (f instanceof String) {
                    throw parser.error(at - 1, (String) f);
                }
                reads.add(((TemplateType.Field) f).get());
                t = ((TemplateType.Field) f).type();
                at += name.length() + 1;
            }
            return new Field(start, List.copyOf(reads), t);
        }
    }
}
