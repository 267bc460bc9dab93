-- API tokens: only a SHA-256 of each token is kept, never the token, with its public id, name and
-- scopes (comma-separated: ingest, read, admin). A revoked token keeps its row, so that it can still be
-- listed and its id never names another token.
CREATE TABLE api_tokens (
    id              VARCHAR(32) COLLATE "C" NOT NULL PRIMARY KEY,
    name            VARCHAR(128) NOT NULL,
    scopes          VARCHAR(64)  NOT NULL,
    token_hash      CHAR(64)     NOT NULL,
    created_at_ms   BIGINT       NOT NULL,
    last_used_at_ms BIGINT,
    revoked_at_ms   BIGINT
);
