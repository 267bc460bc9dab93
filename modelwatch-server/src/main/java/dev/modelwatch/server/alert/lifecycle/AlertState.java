package dev.modelwatch.server.alert.lifecycle;

import java.util.Locale;

/**
 * The state of one alert instance (one rule, one result series).
 *
 * <pre>
 *                breach            breach held `for`
 *   INACTIVE ───────────▶ PENDING ───────────────▶ FIRING
 *      ▲  ▲    clear         │                      │ clear for `keep_firing_for`
 *      │  └──────────────────┘                      ▼
 *      └──────── after the retention ─────────── RESOLVED ──breach──▶ PENDING
 *
 *   any state ──series vanished, no_data_state: no_data──▶ NO_DATA ──data again──▶ (as from INACTIVE)
 *   rule's evaluation throws, error_state: error ──▶ ERROR (one instance per rule) ──success──▶ RESOLVED
 * </pre>
 *
 * {@link #FIRING}, {@link #NO_DATA} and {@link #ERROR} are the states notified to receivers (see
 * {@link AlertInstance#notifying()}).
 */
public enum AlertState {
    /** No breach (or a breach that cleared before {@code for} elapsed); a tracked series without a breach. */
    INACTIVE,
    /** A breach was seen; waiting for it to hold for the rule's {@code for} duration. */
    PENDING,
    /** The breach held for {@code for}: receivers are notified. */
    FIRING,
    /** Was firing; the breach cleared and {@code keep_firing_for} elapsed. Kept a while for display. */
    RESOLVED,
    /** The series this alert watches no longer returns data (rule with {@code no_data_state: no_data}). */
    NO_DATA,
    /** The rule's evaluation failed (rule with {@code error_state: error}). */
    ERROR;

    /** As the API writes it: {@code inactive pending firing resolved no_data error}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The state named {@link #wireName()} (case-insensitive). */
    public static AlertState ofWireName(String name) {
        for (AlertState s : values()) {
            if (s.wireName().equalsIgnoreCase(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("state must be one of inactive, pending, firing, resolved, no_data, error;"
                + " was '" + name + "'");
    }
}
