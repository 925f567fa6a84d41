-- Row-level security and privileges for the conversations domain.

ALTER TABLE conversations ENABLE ROW LEVEL SECURITY;
ALTER TABLE conversations FORCE ROW LEVEL SECURITY;
CREATE POLICY conversations_owner ON conversations
    FOR ALL TO app_user
    USING (user_id = app_current_user_id())
    WITH CHECK (user_id = app_current_user_id());
CREATE POLICY conversations_admin ON conversations
    FOR ALL TO app_admin
    USING (true)
    WITH CHECK (true);

ALTER TABLE agent_feedback ENABLE ROW LEVEL SECURITY;
ALTER TABLE agent_feedback FORCE ROW LEVEL SECURITY;
CREATE POLICY agent_feedback_owner ON agent_feedback
    FOR ALL TO app_user
    USING (user_id = app_current_user_id())
    WITH CHECK (user_id = app_current_user_id());
CREATE POLICY agent_feedback_admin ON agent_feedback
    FOR ALL TO app_admin
    USING (true)
    WITH CHECK (true);

ALTER TABLE conversation_messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE conversation_messages FORCE ROW LEVEL SECURITY;
-- Owned through the parent row.
CREATE POLICY conversation_messages_owner ON conversation_messages
    FOR ALL TO app_user
    USING (EXISTS (SELECT 1 FROM conversations p WHERE p.id = conversation_messages.conversation_id AND p.user_id = app_current_user_id()))
    WITH CHECK (EXISTS (SELECT 1 FROM conversations p WHERE p.id = conversation_messages.conversation_id AND p.user_id = app_current_user_id()));
CREATE POLICY conversation_messages_admin ON conversation_messages
    FOR ALL TO app_admin
    USING (true)
    WITH CHECK (true);

GRANT SELECT, INSERT, UPDATE, DELETE ON conversations TO app_user, app_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON conversation_messages TO app_user, app_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON agent_feedback TO app_user, app_admin;

