package dev.modelwatch.server.alert.notify;

/**
 * The JSON message a {@link RobotNotifier} posts, a record in the format of its chat service, written
 * by the one JSON mapper (snake_case unless the record names its fields otherwise).
 */
public interface RobotMessage {
}
