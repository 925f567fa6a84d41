-- Row-level security and privileges for the trips domain.

ALTER TABLE trips ENABLE ROW LEVEL SECURITY;
ALTER TABLE trips FORCE ROW LEVEL SECURITY;
CREATE POLICY trips_owner ON trips
    FOR ALL TO app_user
    USING (user_id = app_current_user_id())
    WITH CHECK (user_id = app_current_user_id());
CREATE POLICY trips_admin ON trips
    FOR ALL TO app_admin
    USING (true)
    WITH CHECK (true);

ALTER TABLE bookings ENABLE ROW LEVEL SECURITY;
ALTER TABLE bookings FORCE ROW LEVEL SECURITY;
CREATE POLICY bookings_owner ON bookings
    FOR ALL TO app_user
    USING (user_id = app_current_user_id())
    WITH CHECK (user_id = app_current_user_id());
CREATE POLICY bookings_admin ON bookings
    FOR ALL TO app_admin
    USING (true)
    WITH CHECK (true);

ALTER TABLE booking_outcomes ENABLE ROW LEVEL SECURITY;
ALTER TABLE booking_outcomes FORCE ROW LEVEL SECURITY;
CREATE POLICY booking_outcomes_owner ON booking_outcomes
    FOR ALL TO app_user
    USING (user_id = app_current_user_id())
    WITH CHECK (user_id = app_current_user_id());
CREATE POLICY booking_outcomes_admin ON booking_outcomes
    FOR ALL TO app_admin
    USING (true)
    WITH CHECK (true);

ALTER TABLE plans ENABLE ROW LEVEL SECURITY;
ALTER TABLE plans FORCE ROW LEVEL SECURITY;
CREATE POLICY plans_owner ON plans
    FOR ALL TO app_user
    USING (user_id = app_current_user_id())
    WITH CHECK (user_id = app_current_user_id());
CREATE POLICY plans_admin ON plans
    FOR ALL TO app_admin
    USING (true)
    WITH CHECK (true);

ALTER TABLE user_goals ENABLE ROW LEVEL SECURITY;
ALTER TABLE user_goals FORCE ROW LEVEL SECURITY;
CREATE POLICY user_goals_owner ON user_goals
    FOR ALL TO app_user
    USING (user_id = app_current_user_id())
    WITH CHECK (user_id = app_current_user_id());
CREATE POLICY user_goals_admin ON user_goals
    FOR ALL TO app_admin
    USING (true)
    WITH CHECK (true);

ALTER TABLE plan_activities ENABLE ROW LEVEL SECURITY;
ALTER TABLE plan_activities FORCE ROW LEVEL SECURITY;
-- Owned through the parent row.
CREATE POLICY plan_activities_owner ON plan_activities
    FOR ALL TO app_user
    USING (EXISTS (SELECT 1 FROM plans p WHERE p.id = plan_activities.plan_id AND p.user_id = app_current_user_id()))
    WITH CHECK (EXISTS (SELECT 1 FROM plans p WHERE p.id = plan_activities.plan_id AND p.user_id = app_current_user_id()));
CREATE POLICY plan_activities_admin ON plan_activities
    FOR ALL TO app_admin
    USING (true)
    WITH CHECK (true);

GRANT SELECT, INSERT, UPDATE, DELETE ON trips TO app_user, app_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON bookings TO app_user, app_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON booking_outcomes TO app_user, app_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON plans TO app_user, app_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON plan_activities TO app_user, app_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON user_goals TO app_user, app_admin;

