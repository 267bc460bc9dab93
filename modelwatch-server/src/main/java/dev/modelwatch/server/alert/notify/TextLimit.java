package dev.modelwatch.server.alert.notify;

import java.nio.charset.StandardCharsets;

/**
 * Cuts a message to a channel's size limit (WeCom markdown: 4096 UTF-8 bytes; a Slack section: 3000
 * characters), ending it with {@value #MARK} so that the reader sees it was cut. Never splits a
 * character.
 */
public final class TextLimit {
    /** Appended to a cut text. */
    public static final String MARK = "\n…(truncated)";

    private TextLimit() {
    }

    /** {@code s} in at most {@code maxBytes} UTF-8 bytes, {@link #MARK} included when cut. */
    public static String utf8Bytes(String s, int maxBytes) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length <= maxBytes) {
            return s;
        }
        int budget = maxBytes - MARK.getBytes(StandardCharsets.UTF_8).length;
        int bytes = 0;
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            int n = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + n > budget) {
                break;
            }
            bytes += n;
            i += Character.charCount(cp);
        }
        return s.substring(0, i) + MARK;
    }

    /** {@code s} in at most {@code maxChars} UTF-16 characters, {@link #MARK} included when cut. */
    public static String chars(String s, int maxChars) {
        if (s.length() <= maxChars) {
            return s;
        }
        int end = maxChars - MARK.length();
        if (end > 0 && Character.isHighSurrogate(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, Math.max(0, end)) + MARK;
    }
}
