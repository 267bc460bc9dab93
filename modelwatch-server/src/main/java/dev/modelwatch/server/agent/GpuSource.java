package dev.modelwatch.server.agent;

import java.util.List;

/** Where the agent reads GPUs: {@link NvidiaSmi} or a DCGM exporter ({@link #dcgm}). */
public interface GpuSource {
    List<GpuSample> read() throws GpuException;

    /** A DCGM exporter's {@code /metrics} page at {@code url}, fetched with {@code http} within {@code timeout}. */
    static GpuSource dcgm(java.net.http.HttpClient http, java.net.URI url, java.time.Duration timeout) {
        return () -> {
            try {
                java.net.http.HttpResponse<String> r = http.send(java.net.http.HttpRequest.newBuilder(url).timeout(timeout)
                        .GET().build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    throw new GpuException("DCGM exporter " + url + " answered HTTP " + r.statusCode());
                }
                return DcgmMetrics.parse(r.body());
            } catch (java.io.IOException e) {
                throw new GpuException("DCGM exporter " + url + " cannot be read: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new GpuException("interrupted while reading the DCGM exporter");
            }
        };
    }
}
