-- Row-level security and privileges for the analytics domain.

ALTER TABLE user_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE user_events FORCE ROW LEVEL SECURITY;
CREATE POLICY user_events_owner ON user_events
    FOR ALL TO app_user
    USING (user_id = app_current_user_id())
    WITH CHECK (user_id = app_current_user_id());
CREATE POLICY user_events_admin ON user_events
    FOR ALL TO app_admin
    USING (true)
    WITH CHECK (true);

ALTER TABLE search_analytics ENABLE ROW LEVEL SECURITY;
ALTER TABLE search_analytics FORCE ROW LEVEL SECURITY;
CREATE POLICY search_analytics_owner ON search_analytics
    FOR ALL TO app_user
    USING (user_id = app_current_user_id())
    WITH CHECK (user_id = app_current_user_id());
CREATE POLICY search_analytics_admin ON search_analytics
    FOR ALL TO app_admin
    USING (true)
    WITH CHECK (true);

ALTER TABLE user_feedback ENABLE ROW LEVEL SECURITY;
ALTER TABLE user_feedback FORCE ROW LEVEL SECURITY;
CREATE POLICY user_feedback_owner ON user_feedback
    FOR ALL TO app_user
    USING (user_id = app_current_user_id())
    WITH CHECK (user_id = app_current_user_id());
CREATE POLICY user_feedback_admin ON user_feedback
    FOR ALL TO app_admin
    USING (true)
    WITH CHECK (true);

ALTER TABLE user_behavior_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE user_behavior_log FORCE ROW LEVEL SECURITY;
CREATE POLICY user_behavior_log_owner ON user_behavior_log
    FOR ALL TO app_user
    USING (user_id = app_current_user_id())
    WITH CHECK (user_id = app_current_user_id());
CREATE POLICY user_behavior_log_admin ON user_behavior_log
    FOR ALL TO app_admin
    USING (true)
    WITH CHECK (true);

-- Anonymous searches (no signed-in user) may still be logged by the application.
CREATE POLICY search_analytics_anonymous_insert ON search_analytics
    FOR INSERT TO app_user
    WITH CHECK (user_id IS NULL);

GRANT SELECT, INSERT, UPDATE, DELETE ON user_events TO app_user, app_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON search_analytics TO app_user, app_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON user_feedback TO app_user, app_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON user_behavior_log TO app_user, app_admin;

-- Views run with the caller's rights (security_invoker), so RLS on the base tables applies.
GRANT SELECT ON user_profile_summary, user_travel_insights TO app_user, app_admin;

-- Social proof is aggregated, thresholded and public.
GRANT SELECT ON hotel_social_proof TO app_user, app_admin;

-- Materialized views cannot carry RLS: per-user booking statistics are admin-only.
GRANT SELECT ON user_booking_stats TO app_admin;

REVOKE ALL ON FUNCTION refresh_analytics_views() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION refresh_analytics_views() TO app_admin;
