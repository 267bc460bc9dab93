package dev.modelwatch.server.alert.notify;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Removes secrets from text that leaves a notifier (error messages, logs): each secret, and its
 * URL-encoded form, is replaced by {@value Secret#MASK}. A URL that embeds a token is registered with
 * {@link #withUrl(URI)}: the whole URL, its query and its long query values and path segments are
 * replaced, so that an exception which quotes a part of it leaks nothing.
 *
 * <p>Immutable. Usage: {@code Redactor r = Redactor.of(List.of(password)); r.redact(e.getMessage());}
 */
public final class Redactor {
    /** Parts of a secret URL shorter than this are too common ("hook", "v2") to be replaced everywhere. */
    private static final int MIN_URL_PART = 8;
    private static final Redactor NONE = new Redactor(List.of());

    private final List<String> secrets;

    private Redactor(List<String> secrets) {
        this.secrets = secrets;
    }

    /** Nothing to redact. */
    public static Redactor none() {
        return NONE;
    }

    /** Redacts the given secret values (null and empty entries are skipped). */
    public static Redactor of(Collection<String> values) {
        return NONE.with(values);
    }

    /** This redactor plus {@code values}. */
    public Redactor with(Collection<String> values) {
        Set<String> all = new LinkedHashSet<>(secrets);
        for (String v : values) {
            if (v != null && !v.isEmpty()) {
                all.add(v);
                all.add(URLEncoder.encode(v, StandardCharsets.UTF_8));
            }
        }
        List<String> sorted = new ArrayList<>(all);
        sorted.sort(Comparator.comparingInt(String::length).reversed()); // longest first: a URL before its parts
        return new Redactor(List.copyOf(sorted));
    }

    /** This redactor plus a secret {@code url} and its parts (see the class comment). */
    public Redactor withUrl(URI url) {
        List<String> parts = new ArrayList<>();
        parts.add(url.toString());
        if (url.getRawQuery() != null) {
            if (url.getRawQuery().length() >= MIN_URL_PART) {
                parts.add(url.getRawQuery());
            }
            for (String kv : url.getRawQuery().split("&")) {
                int eq = kv.indexOf('=');
                String v = eq < 0 ? kv : kv.substring(eq + 1);
                if (v.length() >= MIN_URL_PART) {
                    parts.add(v);
                    parts.add(java.net.URLDecoder.decode(v, StandardCharsets.UTF_8));
                }
            }
        }
        if (url.getRawPath() != null) {
            parts.addAll(pathTokens(url.getRawPath()));
        }
        if (url.getRawUserInfo() != null) {
            parts.add(url.getRawUserInfo());
        }
        return with(parts);
    }

    /**
     * The parts of a secret URL's path that carry its token, however short: Slack's
     * {@code /services/T…/B…/token}, Feishu's {@code /hook/<id>}. A segment is one when it is long
     * ({@code >= 16} characters), mixes letters and digits, or is the last one and not a plain word
     * ({@code send}, {@code hook}); from the first such segment on, the rest of the path is one too,
     * raw and decoded, so that an echo of the path is replaced whole.
     */
    static List<String> pathTokens(String rawPath) {
        List<String> parts = new ArrayList<>();
        String[] segs = rawPath.split("/");
        int first = -1;
        for (int i = 0; i < segs.length; i++) {
            String seg = segs[i];
            boolean last = i == segs.length - 1;
            boolean token = seg.length() >= 2 * MIN_URL_PART
                    || (seg.length() >= 4 && seg.chars().anyMatch(Character::isDigit) && seg.chars().anyMatch(Character::isLetter))
                    || (last && seg.length() >= 4 && !seg.matches("[a-z]+"));
            if (token) {
                parts.add(seg);
                parts.add(java.net.URLDecoder.decode(seg, StandardCharsets.UTF_8));
                if (first < 0) {
                    first = i;
                }
            }
        }
        if (first >= 0) {
            String tail = String.join("/", java.util.Arrays.copyOfRange(segs, first, segs.length));
            parts.add(tail);
            parts.add(java.net.URLDecoder.decode(tail, StandardCharsets.UTF_8));
        }
        return parts;
    }

    /** {@code text} with every secret replaced; null stays null. */
    public String redact(String text) {
        if (text == null) {
            return null;
        }
        String out = text;
        for (String s : secrets) {
            if (out.contains(s)) {
                out = out.replace(s, Secret.MASK);
            }
        }
        return out;
    }
}
