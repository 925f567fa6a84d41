-- Conversations with the AI agents, one row per message in conversation_messages.

CREATE TABLE conversations (
    id                    uuid        NOT NULL DEFAULT gen_random_uuid(),
    user_id               uuid        NOT NULL,
    trip_id               uuid,
    agent_type            varchar(30) NOT NULL,
    title                 varchar(200),
    conversation_context  jsonb       NOT NULL DEFAULT '{}',
    status                varchar(20) NOT NULL DEFAULT 'active',
    escalated_to_human    boolean     NOT NULL DEFAULT false,
    escalation_reason     text,
    message_count         integer     NOT NULL DEFAULT 0,
    started_at            timestamptz NOT NULL DEFAULT now(),
    last_message_at       timestamptz NOT NULL DEFAULT now(),
    closed_at             timestamptz,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT conversations_pkey PRIMARY KEY (id),
    CONSTRAINT conversations_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT conversations_trip_id_fkey FOREIGN KEY (trip_id)
        REFERENCES trips (id) ON DELETE SET NULL,
    CONSTRAINT conversations_agent_type_chk
        CHECK (agent_type IN ('trip_planning', 'search_booking', 'experience', 'support', 'customer360')),
    CONSTRAINT conversations_status_chk CHECK (status IN ('active', 'closed', 'escalated')),
    CONSTRAINT conversations_escalation_chk
        CHECK (NOT escalated_to_human OR escalation_reason IS NOT NULL),
    CONSTRAINT conversations_closed_chk
        CHECK (closed_at IS NULL OR closed_at >= started_at),
    CONSTRAINT conversations_message_count_chk CHECK (message_count >= 0)
);

CREATE INDEX conversations_user_recent_idx ON conversations (user_id, last_message_at DESC);
CREATE INDEX conversations_trip_idx ON conversations (trip_id) WHERE trip_id IS NOT NULL;
-- Support queue: conversations handed over to a human.
CREATE INDEX conversations_escalated_idx ON conversations (started_at)
    WHERE status = 'escalated';
CREATE INDEX conversations_agent_status_idx ON conversations (agent_type, status);
CREATE INDEX conversations_context_gin ON conversations USING gin (conversation_context jsonb_path_ops);

COMMENT ON TABLE conversations IS 'A chat session between a user and one of the AI agents, optionally about a trip.';
COMMENT ON COLUMN conversations.agent_type IS 'Agent owning the conversation: trip_planning, search_booking, experience, support, customer360.';
COMMENT ON COLUMN conversations.conversation_context IS 'Orchestration state carried between turns (slots filled, pending tool calls, hand-offs).';
COMMENT ON COLUMN conversations.message_count IS 'Denormalised number of messages, maintained by the application.';


CREATE TABLE conversation_messages (
    id               uuid        NOT NULL DEFAULT gen_random_uuid(),
    conversation_id  uuid        NOT NULL,
    role             varchar(10) NOT NULL,
    agent_name       varchar(50),
    content          text        NOT NULL,
    token_count      integer,
    metadata         jsonb       NOT NULL DEFAULT '{}',
    created_at       timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT conversation_messages_pkey PRIMARY KEY (id),
    CONSTRAINT conversation_messages_conversation_id_fkey FOREIGN KEY (conversation_id)
        REFERENCES conversations (id) ON DELETE CASCADE,
    CONSTRAINT conversation_messages_role_chk CHECK (role IN ('user', 'agent', 'system', 'tool')),
    CONSTRAINT conversation_messages_agent_name_chk
        CHECK (role <> 'agent' OR agent_name IS NOT NULL),
    CONSTRAINT conversation_messages_token_count_chk CHECK (token_count IS NULL OR token_count >= 0)
);

CREATE INDEX conversation_messages_conversation_idx ON conversation_messages (conversation_id, created_at);

COMMENT ON TABLE conversation_messages IS 'Individual turns of a conversation, in order of created_at.';
COMMENT ON COLUMN conversation_messages.role IS 'user, agent, system or tool.';
COMMENT ON COLUMN conversation_messages.agent_name IS 'Name of the agent that produced an agent message.';
COMMENT ON COLUMN conversation_messages.metadata IS 'Model, latency, tool calls and citations for the turn.';
