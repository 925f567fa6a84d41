-- Cached flight search results from upstream providers.

CREATE TABLE flight_cache (
    id                  uuid        NOT NULL DEFAULT gen_random_uuid(),
    search_params_hash  char(64)    COLLATE "C" NOT NULL,
    provider            varchar(50) NOT NULL,
    origin_code         char(3)     COLLATE "C" NOT NULL,
    destination_code    char(3)     COLLATE "C" NOT NULL,
    departure_date      date        NOT NULL,
    return_date         date,
    cabin_class         varchar(20) NOT NULL DEFAULT 'economy',
    passenger_count     smallint    NOT NULL DEFAULT 1,
    results             jsonb       NOT NULL,
    result_count        integer     NOT NULL DEFAULT 0,
    lowest_price        numeric(12,2),
    currency            char(3)     NOT NULL DEFAULT 'USD',
    hit_count           integer     NOT NULL DEFAULT 0,
    created_at          timestamptz NOT NULL DEFAULT now(),
    expires_at          timestamptz NOT NULL,

    CONSTRAINT flight_cache_pkey PRIMARY KEY (id),
    CONSTRAINT flight_cache_origin_chk CHECK (origin_code ~ '^[A-Z]{3}$'),
    CONSTRAINT flight_cache_destination_chk CHECK (destination_code ~ '^[A-Z]{3}$'),
    CONSTRAINT flight_cache_route_chk CHECK (origin_code <> destination_code),
    CONSTRAINT flight_cache_dates_chk CHECK (return_date IS NULL OR return_date >= departure_date),
    CONSTRAINT flight_cache_cabin_chk
        CHECK (cabin_class IN ('economy', 'premium_economy', 'business', 'first')),
    CONSTRAINT flight_cache_passengers_chk CHECK (passenger_count BETWEEN 1 AND 9),
    CONSTRAINT flight_cache_result_count_chk CHECK (result_count >= 0),
    CONSTRAINT flight_cache_lowest_price_chk CHECK (lowest_price IS NULL OR lowest_price > 0),
    CONSTRAINT flight_cache_hit_count_chk CHECK (hit_count >= 0),
    CONSTRAINT flight_cache_expiry_chk CHECK (expires_at > created_at),
    CONSTRAINT flight_cache_hash_chk CHECK (search_params_hash ~ '^[0-9a-f]{64}$')
);

-- Cache lookups are pure equality on the parameter hash.
CREATE INDEX flight_cache_params_hash_idx ON flight_cache USING hash (search_params_hash);
CREATE INDEX flight_cache_expires_at_idx ON flight_cache (expires_at);
CREATE INDEX flight_cache_route_idx ON flight_cache (origin_code, destination_code, departure_date);

COMMENT ON TABLE flight_cache IS 'Short-lived cache of provider flight search results, keyed by a hash of the normalised search parameters.';
COMMENT ON COLUMN flight_cache.search_params_hash IS 'Lower-case hex SHA-256 of the normalised search parameters.';
COMMENT ON COLUMN flight_cache.results IS 'Provider offers as returned (normalised to the platform offer format).';
COMMENT ON COLUMN flight_cache.expires_at IS 'Entries past this instant are stale and are swept periodically.';
