package dev.modelwatch.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelwatch.server.auth.AccessConfig;
import dev.modelwatch.server.auth.AuthMode;
import dev.modelwatch.server.auth.TlsConfig;
import java.nio.file.Path;
import java.util.Set;

/** The access keys of the {@code server:} section: who may call the API, and over what. */
final class AccessSection {
    private AccessSection() {
    }

    /** {@code server.auth}, {@code server.insecure_no_auth}, {@code server.external_url}. */
    static AccessConfig read(ConfigReader r, JsonNode server) {
        AccessConfig d = AccessConfig.DEFAULT;
        AuthMode mode = d.mode();
        String modeText = r.textValue(server, "server.auth", "auth", null);
        if (modeText != null) {
            try {
                mode = AuthMode.parse(modeText);
            } catch (IllegalArgumentException e) {
                r.problems.add("server.auth: " + e.getMessage());
            }
        }
        boolean insecure = r.boolValue(server, "server.insecure_no_auth", "insecure_no_auth", d.insecureNoAuth());
        String external = r.textValue(server, "server.external_url", "external_url", d.externalUrl());
        if (external != null) {
            try {
                AccessConfig.originOf(external);
            } catch (IllegalArgumentException e) {
                r.problems.add("server.external_url: " + e.getMessage());
                external = null;
            }
        }
        TlsConfig tls = null;
        JsonNode tlsNode = server.path("tls");
        if (!tlsNode.isMissingNode() && !tlsNode.isNull()) {
            r.checkKeys(tlsNode, "server.tls.", Set.of("cert_file", "key_file", "keystore_file", "keystore_password_env"));
            String cert = r.textValue(tlsNode, "server.tls.cert_file", "cert_file", null);
            String key = r.textValue(tlsNode, "server.tls.key_file", "key_file", null);
            String keystore = r.textValue(tlsNode, "server.tls.keystore_file", "keystore_file", null);
            tls = new TlsConfig(cert == null ? null : Path.of(cert), key == null ? null : Path.of(key),
                    keystore == null ? null : Path.of(keystore),
                    r.textValue(tlsNode, "server.tls.keystore_password_env", "keystore_password_env", null));
            if (tls.problem() != null) {
                r.problems.add("server.tls: " + tls.problem());
                tls = null;
            }
        }
        return new AccessConfig(mode, insecure, external, tls);
    }
}
