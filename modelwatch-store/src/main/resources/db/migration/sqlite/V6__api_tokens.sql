-- API tokens: only a SHA-256 of each token is kept, never the token, with its public id, name and
-- scopes (comma-separated: ingest, read, admin). A revoked token keeps its row, so that it can still be
-- listed and its id never names another token.
CREATE TABLE api_tokens (
    id              TEXT    NOT NULL PRIMARY KEY CHECK (length(id) <= 32),
    name            TEXT    NOT NULL CHECK (length(name) <= 128),
    scopes          TEXT    NOT NULL CHECK (length(scopes) <= 64),
    token_hash      TEXT    NOT NULL CHECK (length(token_hash) = 64),
    created_at_ms   INTEGER NOT NULL,
    last_used_at_ms INTEGER,
    revoked_at_ms   INTEGER
);
