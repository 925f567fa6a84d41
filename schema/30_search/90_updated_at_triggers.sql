-- Keep updated_at current on every UPDATE.

CREATE TRIGGER price_watches_set_updated_at
    BEFORE UPDATE ON price_watches
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TRIGGER saved_searches_set_updated_at
    BEFORE UPDATE ON saved_searches
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

