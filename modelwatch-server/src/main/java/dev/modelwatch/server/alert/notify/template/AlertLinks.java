package dev.modelwatch.server.alert.notify.template;

import dev.modelwatch.server.alert.dispatch.Alert;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The dashboard link every notification carries for each of its alerts (Alertmanager's
 * {@code generatorURL}): the alerted model's page over the alert's time range, with the alert's
 * version and feature as filters and its id, so that the page marks it among the model's alerts
 * (each of which links to its entry on the alerts page). An alert without a {@code model} label links
 * to its entry on the alerts page.
 *
 * <pre>{@code
 * https://mw.example.com/ui/models/fraud?range=custom&from=1795816800000&alert=f51063b11cf05ed2
 * https://mw.example.com/ui/models/fraud?range=custom&from=1795813200000&to=1795824120000&version=v2&alert=...
 * }</pre>
 * {@code from} is an hour before the alert started (what led to it); {@code to}, an hour after it
 * resolved, is left out while it fires, so the page shows up to the moment it is opened. Times are epoch
 * milliseconds, as the dashboard writes them in its own links.
 */
public final class AlertLinks {
    /** How much of the time before the start (and after the resolution) the linked range shows. */
    public static final long MARGIN_MS = 3_600_000L;

    private AlertLinks() {
    }

    /**
     * The link to {@code a} on the dashboard at {@code base} (the server's URL as users reach it, with
     * or without a trailing slash); a path from the server's root when {@code base} is empty.
     */
    public static String of(String base, Alert a) {
        String root = base == null ? "" : base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        Map<String, String> labels = a.labels().asMap();
        String model = labels.get("model");
        if (model == null || model.isEmpty()) {
            return root + "/ui/alerts?state=all&alert=" + encode(a.id());
        }
        StringBuilder sb = new StringBuilder(root).append("/ui/models/").append(encode(model))
                .append("?range=custom&from=").append(a.startsAtMs() - MARGIN_MS);
        if (a.resolvedAtMs() != null) {
            sb.append("&to=").append(a.resolvedAtMs() + MARGIN_MS);
        }
        for (String filter : new String[] {"version", "feature"}) {
            String v = labels.get(filter);
            if (v != null && !v.isEmpty()) {
                sb.append('&').append(filter).append('=').append(encode(v));
            }
        }
        return sb.append("&alert=").append(encode(a.id())).toString();
    }

    private static String encode(String s) {
        // a path segment and a query value alike: spaces as %20, not '+'
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
