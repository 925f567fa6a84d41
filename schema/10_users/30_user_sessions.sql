-- Server-side sessions and refresh tokens.

CREATE TABLE user_sessions (
    id                  uuid        NOT NULL DEFAULT gen_random_uuid(),
    user_id             uuid        NOT NULL,
    token_hash          varchar(128) COLLATE "C" NOT NULL,
    refresh_token_hash  varchar(128) COLLATE "C",
    session_data        jsonb       NOT NULL DEFAULT '{}',
    ip_address          inet,
    user_agent          text,
    device_type         varchar(20),
    is_active           boolean     NOT NULL DEFAULT true,
    created_at          timestamptz NOT NULL DEFAULT now(),
    last_used_at        timestamptz NOT NULL DEFAULT now(),
    expires_at          timestamptz NOT NULL,
    revoked_at          timestamptz,

    CONSTRAINT user_sessions_pkey PRIMARY KEY (id),
    CONSTRAINT user_sessions_token_hash_key UNIQUE (token_hash),
    CONSTRAINT user_sessions_refresh_token_hash_key UNIQUE (refresh_token_hash),
    CONSTRAINT user_sessions_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT user_sessions_expiry_chk CHECK (expires_at > created_at),
    CONSTRAINT user_sessions_device_type_chk
        CHECK (device_type IS NULL OR device_type IN ('desktop', 'mobile', 'tablet', 'other')),
    CONSTRAINT user_sessions_revoked_chk CHECK (revoked_at IS NULL OR NOT is_active)
);

-- Active sessions of a user, newest first (e.g. "sign out other devices").
CREATE INDEX user_sessions_user_active_idx ON user_sessions (user_id, last_used_at DESC)
    WHERE is_active;
-- Sweeping expired sessions.
CREATE INDEX user_sessions_expires_at_idx ON user_sessions (expires_at);

COMMENT ON TABLE user_sessions IS 'Login sessions; only hashes of the bearer and refresh tokens are stored.';
COMMENT ON COLUMN user_sessions.token_hash IS 'SHA-256 hex of the session token; the raw token is never stored.';
COMMENT ON COLUMN user_sessions.refresh_token_hash IS 'SHA-256 hex of the refresh token, if refresh is enabled.';
COMMENT ON COLUMN user_sessions.revoked_at IS 'Set when the session is explicitly revoked (logout, password change).';
