package dev.modelwatch.server.auth;

import java.nio.file.Path;

/**
 * {@code server.tls}: HTTPS with PEM files (a certificate chain and its PKCS#8 private key) or a
 * PKCS#12 keystore whose password is read from an environment variable.
 *
 * @param certFile            PEM certificate chain, the server's certificate first (with keyFile)
 * @param keyFile             PEM PKCS#8 private key ({@code BEGIN PRIVATE KEY}, unencrypted)
 * @param keystoreFile        PKCS#12 keystore with one key entry (instead of the PEM pair)
 * @param keystorePasswordEnv environment variable holding the keystore's password
 */
public record TlsConfig(Path certFile, Path keyFile, Path keystoreFile, String keystorePasswordEnv) {
    /** Either the PEM pair or the keystore with its password variable, else why not. */
    public String problem() {
        boolean pem = certFile != null || keyFile != null;
        boolean p12 = keystoreFile != null || keystorePasswordEnv != null;
        if (pem && p12) {
            return "give either cert_file and key_file (PEM) or keystore_file and keystore_password_env (PKCS#12), not both";
        }
        if (pem && (certFile == null || keyFile == null)) {
            return "cert_file and key_file go together";
        }
        if (p12 && (keystoreFile == null || keystorePasswordEnv == null)) {
            return "keystore_file and keystore_password_env go together";
        }
        if (!pem && !p12) {
            return "needs cert_file and key_file (PEM) or keystore_file and keystore_password_env (PKCS#12)";
        }
        return null;
    }
}
