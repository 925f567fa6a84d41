-- Ratings of agent answers.

CREATE TABLE agent_feedback (
    id                 uuid         NOT NULL DEFAULT gen_random_uuid(),
    user_id            uuid         NOT NULL,
    conversation_id    uuid         NOT NULL,
    message_id         uuid,
    agent_type         varchar(30)  NOT NULL,
    rating             smallint,
    helpful            boolean,
    feedback_text      text,
    feedback_category  varchar(20),
    sentiment_score    numeric(3,2),
    created_at         timestamptz  NOT NULL DEFAULT now(),

    CONSTRAINT agent_feedback_pkey PRIMARY KEY (id),
    CONSTRAINT agent_feedback_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT agent_feedback_conversation_id_fkey FOREIGN KEY (conversation_id)
        REFERENCES conversations (id) ON DELETE CASCADE,
    CONSTRAINT agent_feedback_message_id_fkey FOREIGN KEY (message_id)
        REFERENCES conversation_messages (id) ON DELETE SET NULL,
    CONSTRAINT agent_feedback_agent_type_chk
        CHECK (agent_type IN ('trip_planning', 'search_booking', 'experience', 'support', 'customer360')),
    CONSTRAINT agent_feedback_rating_chk CHECK (rating IS NULL OR rating BETWEEN 1 AND 5),
    CONSTRAINT agent_feedback_category_chk
        CHECK (feedback_category IS NULL
               OR feedback_category IN ('accuracy', 'relevance', 'helpfulness', 'speed', 'clarity')),
    CONSTRAINT agent_feedback_sentiment_chk
        CHECK (sentiment_score IS NULL OR sentiment_score BETWEEN -1 AND 1),
    CONSTRAINT agent_feedback_not_empty_chk
        CHECK (rating IS NOT NULL OR helpful IS NOT NULL OR feedback_text IS NOT NULL)
);

CREATE INDEX agent_feedback_user_idx ON agent_feedback (user_id);
CREATE INDEX agent_feedback_conversation_idx ON agent_feedback (conversation_id);
CREATE INDEX agent_feedback_agent_created_idx ON agent_feedback (agent_type, created_at DESC)
    INCLUDE (rating);
-- Triage of poorly rated answers.
CREATE INDEX agent_feedback_low_rating_idx ON agent_feedback (created_at DESC) WHERE rating <= 2;

COMMENT ON TABLE agent_feedback IS 'User feedback on agent answers, for evaluating and improving the agents.';
COMMENT ON COLUMN agent_feedback.message_id IS 'The rated message; NULL for feedback on the whole conversation.';
COMMENT ON COLUMN agent_feedback.sentiment_score IS 'Sentiment of feedback_text from -1 (negative) to 1 (positive).';
