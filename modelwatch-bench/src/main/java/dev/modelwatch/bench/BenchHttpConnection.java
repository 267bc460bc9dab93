package dev.modelwatch.bench;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One keep-alive HTTP/1.1 connection of the ingest load generator, driven by the thread that owns it:
 * it writes a {@code POST} of a body and blocks until the whole answer is read. The load generator
 * shares the machine with the server it measures, so its CPU is taken from the server; a blocking
 * socket costs a write and a few reads a request, where a general client adds a selector thread,
 * asynchronous hand-offs and copies of every body.
 *
 * <p>The request head is encoded once; only {@code Content-Length} varies. The answer is read into
 * buffers kept between requests: the status line, the headers ({@code Content-Length},
 * {@code Transfer-Encoding: chunked}, {@code Connection: close}, {@code Retry-After}) and the body.
 * Any failure to connect, write or read (the server closed the connection, a malformed answer, no
 * answer within the read timeout) closes the connection and throws {@link IOException}; the next
 * {@link #post} connects afresh. An answer with {@code Connection: close} is read whole and the
 * connection closed after it.
 *
 * <pre>{@code
 * try (BenchHttpConnection c = new BenchHttpConnection(URI.create("http://127.0.0.1:8080"), "/api/v1/events",
 *         "application/x-ndjson", 10_000, 60_000)) {
 *     c.post(body);
 *     if (c.status() == 200 && c.bodyEquals(expected)) { ... }
 * }
 * }</pre>
 */
final class BenchHttpConnection implements AutoCloseable {
    private static final int MAX_HEAD_LINE = 8192;
    private static final int MAX_BODY = 64 << 20;

    private final InetSocketAddress address;
    private final int connectTimeoutMs;
    private final int readTimeoutMs;
    private final byte[] headStart;
    private final byte[] head = new byte[1024];

    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private final byte[] buf = new byte[16 * 1024];
    private int pos;
    private int limit;
    private final StringBuilder line = new StringBuilder(128);

    private int status;
    private long retryAfterSeconds;
    private byte[] body = new byte[4096];
    private int bodyLength;
    private long connects;

    BenchHttpConnection(URI base, String path, String contentType, int connectTimeoutMs, int readTimeoutMs) {
        int port = base.getPort() == -1 ? 80 : base.getPort();
        this.address = new InetSocketAddress(base.getHost(), port);
        this.connectTimeoutMs = connectTimeoutMs;
        this.readTimeoutMs = readTimeoutMs;
        this.headStart = ("POST " + path + " HTTP/1.1\r\nHost: " + base.getHost() + ":" + port
                + "\r\nContent-Type: " + contentType + "\r\nContent-Length: ").getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(headStart, 0, head, 0, headStart.length);
    }

    /**
     * Sends {@code payload} and reads the whole answer ({@link #status()}, {@link #bodyEquals},
     * {@link #bodyText()}, {@link #retryAfterSeconds()}).
     *
     * @throws IOException the connection failed or closed before a whole answer arrived; it is closed,
     *                     and nothing is known of what the server did with the request
     */
    void post(byte[] payload) throws IOException {
        try {
            if (socket == null) {
                connect();
            }
            int n = headStart.length;
            n = putDecimal(payload.length, n);
            head[n++] = '\r';
            head[n++] = '\n';
            head[n++] = '\r';
            head[n++] = '\n';
            out.write(head, 0, n);
            out.write(payload);
            out.flush();
            if (readAnswer()) {
                close();
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e instanceof IOException io ? io : new IOException("malformed answer: " + e.getMessage(), e);
        }
    }

    int status() {
        return status;
    }

    /** The answer's {@code Retry-After} in seconds; {@code -1} when it had none (or not in seconds). */
    long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    boolean bodyEquals(byte[] expected) {
        return Arrays.equals(body, 0, bodyLength, expected, 0, expected.length);
    }

    String bodyText() {
        return new String(body, 0, bodyLength, StandardCharsets.UTF_8);
    }

    /** How many times this connection was opened: once, unless the server closed it. */
    long connects() {
        return connects;
    }

    @Override
    public void close() {
        Socket s = socket;
        socket = null;
        in = null;
        out = null;
        pos = 0;
        limit = 0;
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                // nothing more to do with a socket being dropped
            }
        }
    }

    private void connect() throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(address, connectTimeoutMs);
            s.setSoTimeout(readTimeoutMs);
            in = s.getInputStream();
            out = s.getOutputStream();
        } catch (IOException e) {
            s.close();
            throw e;
        }
        socket = s;
        connects++;
    }

    private int putDecimal(int value, int at) {
        String digits = Integer.toString(value);
        for (int i = 0; i < digits.length(); i++) {
            head[at + i] = (byte) digits.charAt(i);
        }
        return at + digits.length();
    }

    /** Reads one answer; whether the server asked to close the connection after it. */
    private boolean readAnswer() throws IOException {
        String statusLine = readStatusLine();
        while (status >= 100 && status < 200) {
            // an interim answer (100 Continue, 103 Early Hints): its head only, the final answer follows
            for (String h = readLine(); !h.isEmpty(); h = readLine()) {
                // nothing in it is used
            }
            statusLine = readStatusLine();
        }
        boolean close = statusLine.startsWith("HTTP/1.0");
        long contentLength = -1;
        boolean chunked = false;
        retryAfterSeconds = -1;
        for (String h = readLine(); !h.isEmpty(); h = readLine()) {
            int colon = h.indexOf(':');
            if (colon <= 0) {
                throw new IOException("malformed header line: " + h);
            }
            String name = h.substring(0, colon).trim();
            String value = h.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("Content-Length")) {
                contentLength = Long.parseLong(value);
            } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
                chunked = value.toLowerCase(java.util.Locale.ROOT).endsWith("chunked");
            } else if (name.equalsIgnoreCase("Connection")) {
                close = value.equalsIgnoreCase("close");
            } else if (name.equalsIgnoreCase("Retry-After")) {
                retryAfterSeconds = value.chars().allMatch(Character::isDigit) && !value.isEmpty()
                        ? Long.parseLong(value) : -1;
            }
        }
        bodyLength = 0;
        if (chunked) {
            readChunked();
        } else if (contentLength >= 0) {
            readBody(contentLength);
        } else if (status == 204 || status == 304) {
            // no body by definition
        } else {
            // delimited by the end of the connection
            readToEnd();
            return true;
        }
        return close;
    }

    private String readStatusLine() throws IOException {
        String statusLine = readLine();
        if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12 || statusLine.charAt(8) != ' ') {
            throw new IOException("not an HTTP/1.x status line: " + statusLine);
        }
        status = Integer.parseInt(statusLine.substring(9, 12));
        return statusLine;
    }

    private void readChunked() throws IOException {
        while (true) {
            String size = readLine();
            int semicolon = size.indexOf(';');
            long n = Long.parseLong((semicolon >= 0 ? size.substring(0, semicolon) : size).trim(), 16);
            if (n == 0) {
                for (String trailer = readLine(); !trailer.isEmpty(); trailer = readLine()) {
                    // trailers carry nothing the load generator uses
                }
                return;
            }
            readBody(n);
            if (!readLine().isEmpty()) {
                throw new IOException("chunk not followed by CRLF");
            }
        }
    }

    /** Appends {@code n} bytes of the answer to the body. */
    private void readBody(long n) throws IOException {
        if (n < 0 || bodyLength + n > MAX_BODY) {
            throw new IOException("answer body of " + n + " bytes");
        }
        ensureBody(bodyLength + (int) n);
        int left = (int) n;
        while (left > 0) {
            if (pos == limit) {
                fill();
            }
            int k = Math.min(left, limit - pos);
            System.arraycopy(buf, pos, body, bodyLength, k);
            pos += k;
            bodyLength += k;
            left -= k;
        }
    }

    private void readToEnd() throws IOException {
        while (true) {
            if (pos == limit && !tryFill()) {
                return;
            }
            int k = limit - pos;
            if (bodyLength + k > MAX_BODY) {
                throw new IOException("answer body over " + MAX_BODY + " bytes");
            }
            ensureBody(bodyLength + k);
            System.arraycopy(buf, pos, body, bodyLength, k);
            bodyLength += k;
            pos = limit;
        }
    }

    private void ensureBody(int size) {
        if (size > body.length) {
            body = Arrays.copyOf(body, Math.max(size, body.length * 2));
        }
    }

    /** A line of the head without its CRLF (a bare LF is taken too), ASCII. */
    private String readLine() throws IOException {
        line.setLength(0);
        while (true) {
            if (pos == limit) {
                fill();
            }
            byte b = buf[pos++];
            if (b == '\n') {
                int len = line.length();
                if (len > 0 && line.charAt(len - 1) == '\r') {
                    line.setLength(len - 1);
                }
                return line.toString();
            }
            if (line.length() == MAX_HEAD_LINE) {
                throw new IOException("answer head line over " + MAX_HEAD_LINE + " bytes");
            }
            line.append((char) (b & 0xff));
        }
    }

    private void fill() throws IOException {
        if (!tryFill()) {
            throw new EOFException("the server closed the connection before a whole answer");
        }
    }

    private boolean tryFill() throws IOException {
        int n = in.read(buf, 0, buf.length);
        if (n < 0) {
            return false;
        }
        pos = 0;
        limit = n;
        return true;
    }
}
