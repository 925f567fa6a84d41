-- Fare alerts on a route.

CREATE TABLE price_watches (
    id                 uuid          NOT NULL DEFAULT gen_random_uuid(),
    user_id            uuid          NOT NULL,
    origin_code        char(3)       COLLATE "C" NOT NULL,
    destination_code   char(3)       COLLATE "C" NOT NULL,
    departure_date     date,
    return_date        date,
    passenger_count    smallint      NOT NULL DEFAULT 1,
    cabin_class        varchar(20)   NOT NULL DEFAULT 'economy',
    target_price       numeric(12,2),
    current_price      numeric(12,2),
    lowest_price_seen  numeric(12,2),
    currency           char(3)       NOT NULL DEFAULT 'USD',
    alert_threshold    numeric(5,4)  NOT NULL DEFAULT 0.10,
    is_active          boolean       NOT NULL DEFAULT true,
    last_checked_at    timestamptz,
    last_notified_at   timestamptz,
    created_at         timestamptz   NOT NULL DEFAULT now(),
    updated_at         timestamptz   NOT NULL DEFAULT now(),

    CONSTRAINT price_watches_pkey PRIMARY KEY (id),
    CONSTRAINT price_watches_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT price_watches_origin_chk CHECK (origin_code ~ '^[A-Z]{3}$'),
    CONSTRAINT price_watches_destination_chk CHECK (destination_code ~ '^[A-Z]{3}$'),
    CONSTRAINT price_watches_route_chk CHECK (origin_code <> destination_code),
    CONSTRAINT price_watches_dates_chk
        CHECK (return_date IS NULL OR departure_date IS NULL OR return_date >= departure_date),
    CONSTRAINT price_watches_passengers_chk CHECK (passenger_count BETWEEN 1 AND 9),
    CONSTRAINT price_watches_cabin_chk
        CHECK (cabin_class IN ('economy', 'premium_economy', 'business', 'first')),
    CONSTRAINT price_watches_target_price_chk CHECK (target_price IS NULL OR target_price > 0),
    CONSTRAINT price_watches_current_price_chk CHECK (current_price IS NULL OR current_price > 0),
    CONSTRAINT price_watches_lowest_price_chk CHECK (lowest_price_seen IS NULL OR lowest_price_seen > 0),
    CONSTRAINT price_watches_currency_chk CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT price_watches_threshold_chk CHECK (alert_threshold > 0 AND alert_threshold < 1)
);

CREATE INDEX price_watches_user_idx ON price_watches (user_id, created_at DESC);
-- The price checker only scans active watches, soonest departures first.
CREATE INDEX price_watches_active_idx ON price_watches (departure_date, origin_code, destination_code)
    WHERE is_active;

COMMENT ON TABLE price_watches IS 'Fare alerts: notify the user when the price on a route drops below a target or by a threshold.';
COMMENT ON COLUMN price_watches.alert_threshold IS 'Relative drop that triggers an alert (0.10 = 10 %).';
COMMENT ON COLUMN price_watches.lowest_price_seen IS 'Lowest fare observed since the watch was created.';
