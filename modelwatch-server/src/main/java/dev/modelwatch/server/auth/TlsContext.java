package dev.modelwatch.server.auth;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/** Builds Jetty's TLS settings from a {@link TlsConfig}; every problem is an exception naming the key. */
public final class TlsContext {
    private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "Ed25519", "Ed448");

    private TlsContext() {
    }

    /**
     * @param env the environment (the keystore's password variable)
     * @throws IllegalArgumentException naming the {@code server.tls} key at fault
     */
    public static SslContextFactory.Server of(TlsConfig tls, Function<String, String> env) {
        String problem = tls.problem();
        if (problem != null) {
            throw new IllegalArgumentException("server.tls: " + problem);
        }
        SslContextFactory.Server f = new SslContextFactory.Server();
        if (tls.keystoreFile() != null) {
            String password = env.apply(tls.keystorePasswordEnv());
            if (password == null) {
                throw new IllegalArgumentException("server.tls.keystore_password_env: environment variable "
                        + tls.keystorePasswordEnv() + " is not set");
            }
            KeyStore ks;
            try (InputStream in = Files.newInputStream(tls.keystoreFile())) {
                ks = KeyStore.getInstance("PKCS12");
                ks.load(in, password.toCharArray());
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalArgumentException("server.tls.keystore_file: " + tls.keystoreFile()
                        + " cannot be read as PKCS#12 with that password: " + e.getMessage());
            }
            f.setKeyStore(ks);
            f.setKeyStorePassword(password);
            return f;
        }
        List<Certificate> chain = certificates(tls);
        PrivateKey key = privateKey(tls);
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            char[] inMemory = "modelwatch".toCharArray(); // protects nothing: the store never leaves memory
            ks.setKeyEntry("server", key, inMemory, chain.toArray(Certificate[]::new));
            f.setKeyStore(ks);
            f.setKeyStorePassword(new String(inMemory));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("server.tls: the key in " + tls.keyFile() + " does not go with the"
                    + " certificate in " + tls.certFile() + ": " + e.getMessage());
        }
        return f;
    }

    private static List<Certificate> certificates(TlsConfig tls) {
        try (InputStream in = Files.newInputStream(tls.certFile())) {
            List<Certificate> chain = List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(in));
            if (chain.isEmpty()) {
                throw new IllegalArgumentException("server.tls.cert_file: no certificate in " + tls.certFile());
            }
            return chain;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("server.tls.cert_file: " + tls.certFile() + " is not a PEM certificate"
                    + " chain: " + e.getMessage());
        }
    }

    private static PrivateKey privateKey(TlsConfig tls) {
        String pem;
        try {
            pem = Files.readString(tls.keyFile(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("server.tls.key_file: " + tls.keyFile() + " cannot be read: " + e.getMessage());
        }
        int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
        int end = pem.indexOf("-----END PRIVATE KEY-----");
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("server.tls.key_file: " + tls.keyFile() + " is not an unencrypted PKCS#8"
                    + " PEM key (BEGIN PRIVATE KEY); convert it with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8");
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + 27, end));
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException ignored) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException("server.tls.key_file: the key in " + tls.keyFile() + " is none of "
                + String.join(", ", KEY_ALGORITHMS));
    }

}
