package dev.modelwatch.server.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The dashboard's files, read from the jar: its own under {@code /web/} and the chart libraries'
 * WebJars under {@code META-INF/resources/webjars/}. The page names the libraries through an import
 * map built from the WebJars' own versions, so upgrading one is a change of the pom only.
 */
final class WebAssets {
    /** A file as sent: its bytes and media type. */
    record Asset(byte[] bytes, String contentType) {
    }

    /** The WebJars the page may load, by module name (as the import map names them). */
    private static final Map<String, String[]> LIBRARIES = Map.of(
            "uplot", new String[] {"uplot", "dist/uPlot.esm.js"},
            "echarts", new String[] {"echarts", "dist/echarts.esm.min.js"});
    private static final Pattern SAFE_PATH = Pattern.compile("[A-Za-z0-9_-]+(/[A-Za-z0-9_.-]+)*\\.(js|css|html|svg)");
    private static final Pattern WEBJAR_PATH = Pattern.compile("[a-z]+/[0-9][0-9A-Za-z.-]*/[A-Za-z0-9_/.-]+\\.(js|css)");
    private static final Map<String, String> TYPES = Map.of("js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8", "html", "text/html; charset=utf-8", "svg", "image/svg+xml");

    private final Map<String, Optional<Asset>> cache = new ConcurrentHashMap<>();
    private final Map<String, String> versions = new ConcurrentHashMap<>();
    private final String indexHtml;
    private final String importMapHash;

    WebAssets() {
        for (String[] lib : LIBRARIES.values()) {
            versions.put(lib[0], webjarVersion(lib[0]));
        }
        StringBuilder map = new StringBuilder("{\"imports\": {");
        String sep = "";
        for (Map.Entry<String, String[]> e : new java.util.TreeMap<>(LIBRARIES).entrySet()) {
            map.append(sep).append('"').append(e.getKey()).append("\": \"/webjars/").append(e.getValue()[0]).append('/')
                    .append(versions.get(e.getValue()[0])).append('/').append(e.getValue()[1]).append('"');
            sep = ", ";
        }
        map.append("}}");
        String template = new String(read("/web/index.html").orElseThrow(
                () -> new IllegalStateException("the dashboard's index.html is missing from the jar")),
                StandardCharsets.UTF_8);
        indexHtml = template.replace("{{importmap}}", map)
                .replace("{{uplot_css}}", "/webjars/uplot/" + versions.get("uplot") + "/dist/uPlot.min.css");
        importMapHash = sha256(map.toString());
    }

    /** The page every dashboard URL answers with. */
    String indexHtml() {
        return indexHtml;
    }

    /** The Content-Security-Policy of the page: only this server's scripts and the import map. */
    String contentSecurityPolicy() {
        return "default-src 'self'; script-src 'self' 'sha256-" + importMapHash + "'; style-src 'self' 'unsafe-inline';"
                + " img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none';"
                + " form-action 'self'";
    }

    /** One of the dashboard's own files, {@code path} relative to {@code /assets/}. */
    Optional<Asset> own(String path) {
        if (!SAFE_PATH.matcher(path).matches() || path.equals("index.html")) {
            return Optional.empty();
        }
        return cache.computeIfAbsent("web:" + path, k -> read("/web/" + path).map(b -> new Asset(b, type(path))));
    }

    /** A file of an allowed WebJar at the version on the classpath; {@code path} is {@code name/version/file}. */
    Optional<Asset> webjar(String path) {
        if (!WEBJAR_PATH.matcher(path).matches() || path.contains("..")) {
            return Optional.empty();
        }
        String[] parts = path.split("/", 3);
        if (parts.length < 3 || !versions.containsKey(parts[0]) || !versions.get(parts[0]).equals(parts[1])) {
            return Optional.empty();
        }
        return cache.computeIfAbsent("webjar:" + path, k -> read("/META-INF/resources/webjars/" + path)
                .map(b -> new Asset(b, type(path))));
    }

    private static String type(String path) {
        return TYPES.get(path.substring(path.lastIndexOf('.') + 1));
    }

    private static String webjarVersion(String artifact) {
        String props = "/META-INF/maven/org.webjars.npm/" + artifact + "/pom.properties";
        try (InputStream in = WebAssets.class.getResourceAsStream(props)) {
            if (in == null) {
                throw new IllegalStateException("the WebJar org.webjars.npm:" + artifact + " is not on the classpath");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Optional<byte[]> read(String resource) {
        try (InputStream in = WebAssets.class.getResourceAsStream(resource)) {
            return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha256(String text) {
        try {
            return Base64.getEncoder().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
