package dev.modelwatch.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own errors, those answered before a request reaches the API (431 headers too large, 414
 * URI too long, 400 bad request line, ...), as JSON {@code {"error": ...}} like every other error,
 * never an HTML page or a stack trace.
 */
final class JsonErrorHandler extends ErrorHandler {
    static byte[] body(int status, String message) {
        String reason = HttpStatus.getMessage(status);
        String text = message == null || message.isBlank() || message.equals(reason)
                ? reason : reason + ": " + message;
        try {
            return Answers.JSON.writeValueAsBytes(new Answers.ErrorAnswer(text + " (" + status + ")"));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) throws IOException {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(body(code, message)), callback);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        return ByteBuffer.wrap(body(status, reason));
    }
}
