-- Keep updated_at current on every UPDATE.

CREATE TRIGGER user_feedback_set_updated_at
    BEFORE UPDATE ON user_feedback
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

