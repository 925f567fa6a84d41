-- Keep updated_at current on every UPDATE.

CREATE TRIGGER users_set_updated_at
    BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TRIGGER user_profiles_set_updated_at
    BEFORE UPDATE ON user_profiles
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TRIGGER user_communication_preferences_set_updated_at
    BEFORE UPDATE ON user_communication_preferences
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TRIGGER passenger_details_set_updated_at
    BEFORE UPDATE ON passenger_details
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

