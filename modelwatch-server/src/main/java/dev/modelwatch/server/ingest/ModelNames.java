package dev.modelwatch.server.ingest;

/** The rule of model names, shared by events, configuration and URLs. */
public final class ModelNames {
    private ModelNames() {
    }

    /** Why {@code s} cannot be a model name ("must match ..."), or null when it can. */
    public static String modelNameProblem(String s) {
        if (isModelName(s)) {
            return null;
        }
        return s.equals(".") || s.equals("..") ? "must not be '.' or '..' (path segments that URLs resolve away)"
                : "must match [A-Za-z0-9_.-]{1,128}";
    }

    /**
     * {@code [A-Za-z0-9_.-]{1,128}} but not {@code .} or {@code ..} (path segments that URLs and file
     * systems resolve away), checked without a regex (it runs for every event).
     */
    public static boolean isModelName(String s) {
        int n = s.length();
        if (n == 0 || n > 128 || s.equals(".") || s.equals("..")) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.'
                    || c == '-')) {
                return false;
            }
        }
        return true;
    }
}
