-- Trips: the unit of travel planning that bookings, plans and conversations hang off.

CREATE TABLE trips (
    id                uuid          NOT NULL DEFAULT gen_random_uuid(),
    user_id           uuid          NOT NULL,
    title             varchar(255)  NOT NULL,
    description       text,
    trip_type         varchar(20)   NOT NULL DEFAULT 'leisure',
    status            varchar(20)   NOT NULL DEFAULT 'planning',
    start_date        date          NOT NULL,
    end_date          date          NOT NULL,
    duration_days     integer       GENERATED ALWAYS AS (end_date - start_date + 1) STORED,
    origin_city       varchar(100),
    origin_country    char(3),
    destinations      jsonb         NOT NULL DEFAULT '[]',
    budget_amount     numeric(12,2),
    budget_currency   char(3)       NOT NULL DEFAULT 'USD',
    actual_spent      numeric(12,2) NOT NULL DEFAULT 0,
    traveler_count    integer       NOT NULL DEFAULT 1,
    traveler_details  jsonb         NOT NULL DEFAULT '[]',
    created_at        timestamptz   NOT NULL DEFAULT now(),
    updated_at        timestamptz   NOT NULL DEFAULT now(),

    CONSTRAINT trips_pkey PRIMARY KEY (id),
    CONSTRAINT trips_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT trips_dates_chk CHECK (end_date >= start_date),
    CONSTRAINT trips_trip_type_chk
        CHECK (trip_type IN ('leisure', 'business', 'family', 'adventure', 'other')),
    CONSTRAINT trips_status_chk
        CHECK (status IN ('planning', 'booked', 'traveling', 'completed', 'cancelled')),
    CONSTRAINT trips_budget_chk CHECK (budget_amount IS NULL OR budget_amount > 0),
    CONSTRAINT trips_actual_spent_chk CHECK (actual_spent >= 0),
    CONSTRAINT trips_currency_chk CHECK (budget_currency ~ '^[A-Z]{3}$'),
    CONSTRAINT trips_origin_country_chk CHECK (origin_country IS NULL OR origin_country ~ '^[A-Z]{3}$'),
    CONSTRAINT trips_traveler_count_chk CHECK (traveler_count BETWEEN 1 AND 50),
    CONSTRAINT trips_destinations_array_chk CHECK (jsonb_typeof(destinations) = 'array')
);

CREATE INDEX trips_user_start_idx ON trips (user_id, start_date DESC);
CREATE INDEX trips_dates_idx ON trips (start_date, end_date);
-- Upcoming and ongoing trips are what the dashboard and the agents look at.
CREATE INDEX trips_open_idx ON trips (user_id, start_date)
    WHERE status IN ('planning', 'booked', 'traveling');
CREATE INDEX trips_destinations_gin ON trips USING gin (destinations jsonb_path_ops);
-- Full-text search over trip titles and descriptions.
CREATE INDEX trips_search_fts ON trips
    USING gin (to_tsvector('simple'::regconfig, title || ' ' || coalesce(description, '')));

COMMENT ON TABLE trips IS 'A planned or past journey of one user, with dates, destinations and budget.';
COMMENT ON COLUMN trips.duration_days IS 'Inclusive number of days, derived from start_date and end_date.';
COMMENT ON COLUMN trips.destinations IS 'JSON array of stops: [{"city", "country", "arrival_date", "departure_date"}].';
COMMENT ON COLUMN trips.traveler_details IS 'JSON array of co-travellers: [{"name", "age", "relation"}].';
COMMENT ON COLUMN trips.actual_spent IS 'Running total of confirmed spend in budget_currency.';
