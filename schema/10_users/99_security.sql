-- Row-level security and privileges for the users domain.
-- app_user (the application) sees only the acting user's rows; app_admin sees all.

-- An account row is owned by itself.
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
CREATE POLICY users_owner ON users
    FOR ALL TO app_user
    USING (id = app_current_user_id())
    WITH CHECK (id = app_current_user_id());
CREATE POLICY users_admin ON users
    FOR ALL TO app_admin
    USING (true)
    WITH CHECK (true);

ALTER TABLE user_profiles ENABLE ROW LEVEL SECURITY;
ALTER TABLE user_profiles FORCE ROW LEVEL SECURITY;
CREATE POLICY user_profiles_owner ON user_profiles
    FOR ALL TO app_user
    USING (user_id = app_current_user_id())
    WITH CHECK (user_id = app_current_user_id());
CREATE POLICY user_profiles_admin ON user_profiles
    FOR ALL TO app_admin
    USING (true)
    WITH CHECK (true);

ALTER TABLE user_communication_preferences ENABLE ROW LEVEL SECURITY;
ALTER TABLE user_communication_preferences FORCE ROW LEVEL SECURITY;
CREATE POLICY user_communication_preferences_owner ON user_communication_preferences
    FOR ALL TO app_user
    USING (user_id = app_current_user_id())
    WITH CHECK (user_id = app_current_user_id());
CREATE POLICY user_communication_preferences_admin ON user_communication_preferences
    FOR ALL TO app_admin
    USING (true)
    WITH CHECK (true);

ALTER TABLE user_sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE user_sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY user_sessions_owner ON user_sessions
    FOR ALL TO app_user
    USING (user_id = app_current_user_id())
    WITH CHECK (user_id = app_current_user_id());
CREATE POLICY user_sessions_admin ON user_sessions
    FOR ALL TO app_admin
    USING (true)
    WITH CHECK (true);

ALTER TABLE passenger_details ENABLE ROW LEVEL SECURITY;
ALTER TABLE passenger_details FORCE ROW LEVEL SECURITY;
CREATE POLICY passenger_details_owner ON passenger_details
    FOR ALL TO app_user
    USING (user_id = app_current_user_id())
    WITH CHECK (user_id = app_current_user_id());
CREATE POLICY passenger_details_admin ON passenger_details
    FOR ALL TO app_admin
    USING (true)
    WITH CHECK (true);

-- Accounts are soft-deleted (status = 'deleted'), so the application gets no DELETE on users.
GRANT SELECT, INSERT, UPDATE ON users TO app_user;
GRANT SELECT, INSERT, UPDATE, DELETE ON users TO app_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON user_profiles TO app_user, app_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON user_communication_preferences TO app_user, app_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON user_sessions TO app_user, app_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON passenger_details TO app_user, app_admin;

