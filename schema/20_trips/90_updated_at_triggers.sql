-- Keep updated_at current on every UPDATE.

CREATE TRIGGER trips_set_updated_at
    BEFORE UPDATE ON trips
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TRIGGER bookings_set_updated_at
    BEFORE UPDATE ON bookings
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TRIGGER booking_outcomes_set_updated_at
    BEFORE UPDATE ON booking_outcomes
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TRIGGER plans_set_updated_at
    BEFORE UPDATE ON plans
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TRIGGER plan_activities_set_updated_at
    BEFORE UPDATE ON plan_activities
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TRIGGER user_goals_set_updated_at
    BEFORE UPDATE ON user_goals
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

