package dev.modelwatch.server.alert.notify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelwatch.server.json.Json;
import java.io.IOException;
import java.util.Set;

/**
 * The JSON answer of a chat robot (DingTalk, WeCom, Feishu), which reports failure in the body of an
 * HTTP 200: {@code {"errcode": 310000, "errmsg": "sign not match"}}. {@link #result} classifies it:
 * code 0 delivered, a code among the robot's rate-limit and busy codes retryable, any other code not
 * retryable (a bad token, a bad signature, a keyword mismatch, a malformed message: sending it again
 * cannot succeed), and an answer without a code not retryable either.
 *
 * @param code    the code, null when the answer has none (not JSON, or no such field)
 * @param message the robot's message ("" when none)
 */
public record RobotReply(Long code, String message) {
    /** Reads the first of {@code codeFields} holding an integer, and the first of {@code messageFields}. */
    public static RobotReply parse(String body, String[] codeFields, String[] messageFields) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            return new RobotReply(null, "");
        }
        if (root == null || !root.isObject()) {
            return new RobotReply(null, "");
        }
        Long code = null;
        for (String f : codeFields) {
            JsonNode c = root.get(f);
            if (c != null && c.canConvertToLong() && c.isIntegralNumber()) {
                code = c.asLong();
                break;
            }
        }
        String message = "";
        for (String f : messageFields) {
            JsonNode m = root.get(f);
            if (m != null && m.isTextual()) {
                message = m.asText();
                break;
            }
        }
        return new RobotReply(code, message);
    }

    /**
     * The result of this answer (see the class comment).
     *
     * @param robot          the robot's name for messages ({@code DingTalk})
     * @param retryableCodes the codes that mean "too fast" or "busy, try later"
     */
    public NotifyResult result(String robot, Set<Long> retryableCodes, int status, String body, long atMs) {
        if (code == null) {
            return NotifyResult.failed(false, status, robot + " answered without a result code" + HttpDelivery.quote(body), atMs);
        }
        if (code == 0) {
            return NotifyResult.delivered(status, atMs);
        }
        return NotifyResult.failed(retryableCodes.contains(code), status,
                robot + " error " + code + (message.isEmpty() ? "" : ": " + message), atMs);
    }
}
