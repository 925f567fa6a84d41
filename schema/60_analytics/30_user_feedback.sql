-- Product feedback from users (not about a specific agent answer).

CREATE TABLE user_feedback (
    id             uuid         NOT NULL DEFAULT gen_random_uuid(),
    user_id        uuid         NOT NULL,
    feedback_type  varchar(20)  NOT NULL,
    category       varchar(50),
    rating         smallint,
    subject        varchar(200),
    message        text         NOT NULL,
    page_url       varchar(500),
    metadata       jsonb        NOT NULL DEFAULT '{}',
    status         varchar(20)  NOT NULL DEFAULT 'new',
    resolved_at    timestamptz,
    created_at     timestamptz  NOT NULL DEFAULT now(),
    updated_at     timestamptz  NOT NULL DEFAULT now(),

    CONSTRAINT user_feedback_pkey PRIMARY KEY (id),
    CONSTRAINT user_feedback_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT user_feedback_type_chk
        CHECK (feedback_type IN ('bug', 'feature_request', 'general', 'complaint', 'praise')),
    CONSTRAINT user_feedback_rating_chk CHECK (rating IS NULL OR rating BETWEEN 1 AND 5),
    CONSTRAINT user_feedback_status_chk CHECK (status IN ('new', 'triaged', 'resolved', 'closed')),
    CONSTRAINT user_feedback_resolved_chk
        CHECK (resolved_at IS NULL OR status IN ('resolved', 'closed'))
);

CREATE INDEX user_feedback_user_idx ON user_feedback (user_id, created_at DESC);
-- Triage queue.
CREATE INDEX user_feedback_open_idx ON user_feedback (feedback_type, created_at)
    WHERE status IN ('new', 'triaged');

COMMENT ON TABLE user_feedback IS 'Ratings, bug reports and suggestions about the product, with a triage status.';
COMMENT ON COLUMN user_feedback.metadata IS 'Client context: app version, platform, locale.';
