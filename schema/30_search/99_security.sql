-- Row-level security and privileges for the search domain.
-- flight_cache is a shared cache with no owner: no RLS, plain privileges.

ALTER TABLE price_watches ENABLE ROW LEVEL SECURITY;
ALTER TABLE price_watches FORCE ROW LEVEL SECURITY;
CREATE POLICY price_watches_owner ON price_watches
    FOR ALL TO app_user
    USING (user_id = app_current_user_id())
    WITH CHECK (user_id = app_current_user_id());
CREATE POLICY price_watches_admin ON price_watches
    FOR ALL TO app_admin
    USING (true)
    WITH CHECK (true);

ALTER TABLE saved_searches ENABLE ROW LEVEL SECURITY;
ALTER TABLE saved_searches FORCE ROW LEVEL SECURITY;
CREATE POLICY saved_searches_owner ON saved_searches
    FOR ALL TO app_user
    USING (user_id = app_current_user_id())
    WITH CHECK (user_id = app_current_user_id());
CREATE POLICY saved_searches_admin ON saved_searches
    FOR ALL TO app_admin
    USING (true)
    WITH CHECK (true);

ALTER TABLE user_favorites ENABLE ROW LEVEL SECURITY;
ALTER TABLE user_favorites FORCE ROW LEVEL SECURITY;
CREATE POLICY user_favorites_owner ON user_favorites
    FOR ALL TO app_user
    USING (user_id = app_current_user_id())
    WITH CHECK (user_id = app_current_user_id());
CREATE POLICY user_favorites_admin ON user_favorites
    FOR ALL TO app_admin
    USING (true)
    WITH CHECK (true);

GRANT SELECT, INSERT, UPDATE, DELETE ON price_watches TO app_user, app_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON saved_searches TO app_user, app_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON user_favorites TO app_user, app_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON flight_cache TO app_user, app_admin;

