package dev.modelwatch.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.modelwatch.core.event.ClassNames;
import dev.modelwatch.core.metrics.ModelSpec;
import dev.modelwatch.core.metrics.ModelTask;
import dev.modelwatch.server.drift.DriftConfig;
import dev.modelwatch.server.ingest.EventDecoder;
import dev.modelwatch.server.ingest.StorableText;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The {@code models:} section: each model's declaration ({@code task}, {@code positive_class}, {@code window}, {@code drift}). */
final class ModelsSection {
    private ModelsSection() {
    }

    /** The declared models and their drift entries, in the order of the file. */
    record Declared(Map<String, ModelSpec> models, Map<String, DriftConfig.ModelDrift> drift) {
    }

    static Declared read(ConfigReader r, JsonNode root) {
        Map<String, DriftConfig.ModelDrift> modelDrift = new LinkedHashMap<>();
        Map<String, ModelSpec> models = new LinkedHashMap<>();
        JsonNode modelsNode = root.path("models");
        if (!modelsNode.isMissingNode() && !modelsNode.isNull()) {
            if (!modelsNode.isObject()) {
                r.problems.add("models: must be a mapping of model name to declaration");
            } else {
                for (Map.Entry<String, JsonNode> e : modelsNode.properties()) {
                    JsonNode declaration = e.getValue();
                    if (declaration != null && declaration.isObject() && declaration.has("drift")) {
                        DriftConfig.ModelDrift md = DriftSection.read(r, declaration.get("drift"), "models." + e.getKey() + ".drift");
                        if (md != null) {
                            modelDrift.put(e.getKey(), md);
                        }
                        declaration = ((ObjectNode) declaration.deepCopy()).without("drift");
                    }
                    ModelSpec spec = modelSpec(e.getKey(), declaration, "models." + e.getKey(), r.problems);
                    if (spec != null) {
                        models.put(e.getKey(), spec);
                    }
                }
            }
        }
        return new Declared(models, modelDrift);
    }

    /**
     * Reads a model declaration (the body of {@code PUT /api/v1/models/{m}} or an entry of
     * {@code models:}); problems are added to {@code problems}, each prefixed with {@code path}.
     */
    public static ModelSpec modelSpec(String name, JsonNode node, String path, List<String> problems) {
        int before = problems.size();
        if (!EventDecoder.isModelName(name)) {
            problems.add(path + ": model name " + EventDecoder.modelNameProblem(name));
        }
        if (node == null || !node.isObject()) {
            problems.add(path + ": must be an object with task, positive_class, window");
            return null;
        }
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String k = names.next();
            if (!Set.of("task", "positive_class", "window").contains(k)) {
                problems.add(path + "." + k + ": unknown key; expected task, positive_class, window");
            }
        }
        ModelTask task = null;
        JsonNode t = node.get("task");
        if (t == null || !t.isTextual()) {
            problems.add(path + ".task: required, one of binary_classification, multiclass_classification, regression");
        } else {
            try {
                task = ModelTask.fromWireName(t.asText());
            } catch (IllegalArgumentException e) {
                problems.add(path + ".task: " + e.getMessage());
            }
        }
        String positive = ModelSpec.DEFAULT_POSITIVE_CLASS;
        JsonNode pc = node.get("positive_class");
        if (pc != null && !pc.isNull()) {
            if (pc.isTextual() || pc.isNumber() || pc.isBoolean()) {
                positive = pc.isNumber() ? ClassNames.of(pc.asDouble()) : pc.asText();
                String unstorable = StorableText.problem(positive);
                if (unstorable != null) {
                    problems.add(path + ".positive_class: " + unstorable);
                }
            } else {
                problems.add(path + ".positive_class: must be a string or a number");
            }
        }
        long windowMs = ModelSpec.DEFAULT_WINDOW_MS;
        JsonNode w = node.get("window");
        if (w != null && !w.isNull()) {
            try {
                windowMs = ConfigReader.durationMillis(w.asText());
            } catch (IllegalArgumentException e) {
                problems.add(path + ".window: " + e.getMessage());
            }
        }
        if (problems.size() > before || task == null) {
            return null;
        }
        try {
            return new ModelSpec(name, task, positive, windowMs, true);
        } catch (IllegalArgumentException e) {
            problems.add(path + ".window: " + e.getMessage() + " (for example 1s, 10s, 1m, 5m, 1h)");
            return null;
        }
    }
}
