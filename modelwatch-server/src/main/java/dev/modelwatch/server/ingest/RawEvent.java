package dev.modelwatch.server.ingest;

import dev.modelwatch.core.event.Event;
import java.util.Map;

/** Fields of one event as read; the first problem found wins. */
final class RawEvent {
    String type;
    String model;
    String id;
    String version;
    Long timestamp;
    Map<String, Object> features;
    Object prediction;
    Double score;
    Map<String, Double> scores;
    Double latency;
    String error;
    Map<String, String> segments;
    Object label;
    String run;
    Double step;
    Double epoch;
    Map<String, Double> metrics;
    String name;
    Double value;
    Map<String, String> labels;
    String problem;

    Event fail(String why) {
        if (problem == null) {
            problem = why;
        }
        return null;
    }
}
