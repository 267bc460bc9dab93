package dev.modelwatch.server.alert.notify.template;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelwatch.core.rules.SeriesLabels;
import dev.modelwatch.server.alert.dispatch.Alert;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertLinksTest {
    private static final long T0 = 1_795_341_600_000L; // 2026-11-22T10:00:00Z

    @Test
    void aModelsAlertLinksToItsPageOverItsRangeWithItsVersionAndFeature() {
        Alert a = Alert.firing(SeriesLabels.of("alertname", "FeatureDrift", "model", "fraud v2/é&x", "feature", "a b+c",
                "version", "v2"), Map.of(), T0);
        String link = AlertLinks.of("https://mw.example.com/base/", a);
        URI u = URI.create(link);
        assertThat(u.getHost()).isEqualTo("mw.example.com");
        // the name is one path segment, decoded back exactly; every value a query parameter, decoded back exactly
        assertThat(u.getPath()).isEqualTo("/base/ui/models/fraud v2/é&x");
        assertThat(u.getRawPath()).isEqualTo("/base/ui/models/fraud%20v2%2F%C3%A9%26x");
        assertThat(u.getQuery()).isEqualTo("range=custom&from=" + (T0 - AlertLinks.MARGIN_MS)
                + "&version=v2&feature=a b+c&alert=" + a.id());
        Alert resolved = a.resolve(T0 + 600_000);
        assertThat(AlertLinks.of("https://mw.example.com", resolved)).contains("&to=" + (T0 + 600_000 + AlertLinks.MARGIN_MS) + "&");
    }

    @Test
    void anAlertWithoutAModelLinksToItsEntryOnTheAlertsPage() {
        Alert a = Alert.firing(SeriesLabels.of("alertname", "IngestStalled"), Map.of(), T0);
        assertThat(AlertLinks.of("", a)).isEqualTo("/ui/alerts?state=all&alert=" + a.id());
        assertThat(AlertLinks.of(null, a)).isEqualTo("/ui/alerts?state=all&alert=" + a.id());
    }
}
