package dev.modelwatch.server.alert.notify.template;

/**
 * How the values a template prints are escaped for the channel's markup; the template's own text is
 * left as written (it is the markup). Label and annotation values come from the monitored data, so an
 * HTML e-mail escapes them as {@code html/template} would, and Slack's {@code mrkdwn} needs
 * {@code & < >} escaped (Slack's "Escaping text" rules).
 */
public enum Escaping {
    /** Values as they are (plain text, JSON fields, DingTalk/WeCom/Feishu markdown). */
    NONE,
    /** {@code & < > " '} as HTML entities. */
    HTML,
    /** {@code & < >} as {@code &amp; &lt; &gt;}, as Slack asks. */
    SLACK;

    /** {@code value} escaped. */
    public String apply(String value) {
        if (this == NONE || value.isEmpty()) {
            return value;
        }
        StringBuilder sb = new StringBuilder(value.length() + 16);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '&':
                    sb.append("&amp;");
                    break;
                case '<':
                    sb.append("&lt;");
                    break;
                case '>':
                    sb.append("&gt;");
                    break;
                case '"':
                    sb.append(this == HTML ? "&#34;" : "\"");
                    break;
                case '\'':
                    sb.append(this == HTML ? "&#39;" : "'");
                    break;
                default:
                    sb.append(c);
            }
        }
        return sb.toString();
    }
}
