-- Pre-aggregated analytics, refreshed hourly by refresh_analytics_views().
-- Each materialized view has a UNIQUE index so it can be refreshed CONCURRENTLY
-- (readers are not blocked during the refresh).
--
-- Note: a materialized view is computed with its owner's rights. The owner must be
-- able to read all rows of the RLS-protected base tables (superuser or BYPASSRLS),
-- otherwise FORCE ROW LEVEL SECURITY would leave the views empty.

-- Booking statistics per user and currency, the input to traveller-persona scoring.
CREATE MATERIALIZED VIEW user_booking_stats AS
SELECT b.user_id,
       b.currency,
       count(*)                                                            AS total_bookings,
       count(*) FILTER (WHERE b.status IN ('confirmed', 'completed'))      AS confirmed_bookings,
       count(*) FILTER (WHERE b.status = 'cancelled')                      AS cancelled_bookings,
       count(*) FILTER (WHERE b.booking_type = 'flight')                   AS flight_bookings,
       count(*) FILTER (WHERE b.booking_type = 'hotel')                    AS hotel_bookings,
       count(DISTINCT b.trip_id)                                           AS trips_with_bookings,
       coalesce(sum(b.total_amount)
                FILTER (WHERE b.status IN ('confirmed', 'completed')), 0)  AS total_spent,
       round(avg(b.total_amount)
             FILTER (WHERE b.status IN ('confirmed', 'completed')), 2)     AS avg_booking_value,
       round(avg(o.overall_rating), 2)                                     AS avg_rating_given,
       min(b.booked_at)                                                    AS first_booked_at,
       max(b.booked_at)                                                    AS last_booked_at
FROM bookings b
LEFT JOIN booking_outcomes o ON o.booking_id = b.id
GROUP BY b.user_id, b.currency
WITH DATA;

CREATE UNIQUE INDEX user_booking_stats_user_currency_key ON user_booking_stats (user_id, currency);

COMMENT ON MATERIALIZED VIEW user_booking_stats IS
    'Per user and currency booking counts, spend and ratings. Contains personal data: admin-only.';

-- Public social proof per hotel property. Only properties booked by at least three
-- distinct guests are listed, so no individual's stay can be inferred.
CREATE MATERIALIZED VIEW hotel_social_proof AS
SELECT b.supplier_item_code                                      AS hotel_code,
       max(b.booking_details ->> 'hotel_name')                   AS hotel_name,
       count(*)                                                  AS total_bookings,
       count(DISTINCT b.user_id)                                 AS distinct_guests,
       count(o.id)                                               AS review_count,
       round(avg(o.overall_rating), 2)                           AS avg_rating,
       -- Bayesian average pulled towards 3.5 with the weight of 10 reviews.
       round((coalesce(sum(o.overall_rating), 0) + 3.5 * 10)
             / (count(o.id) + 10), 2)                            AS weighted_rating,
       round(avg(o.would_rebook::int), 2)                        AS rebook_rate,
       max(b.booked_at)                                          AS last_booked_at
FROM bookings b
LEFT JOIN booking_outcomes o ON o.booking_id = b.id
WHERE b.booking_type = 'hotel'
  AND b.supplier_item_code IS NOT NULL
  AND b.status IN ('confirmed', 'completed')
GROUP BY b.supplier_item_code
HAVING count(DISTINCT b.user_id) >= 3
WITH DATA;

CREATE UNIQUE INDEX hotel_social_proof_hotel_code_key ON hotel_social_proof (hotel_code);

COMMENT ON MATERIALIZED VIEW hotel_social_proof IS
    'Aggregated ratings and rebooking rate per hotel property; public (k >= 3 guests).';

CREATE OR REPLACE FUNCTION refresh_analytics_views()
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
BEGIN
    REFRESH MATERIALIZED VIEW CONCURRENTLY user_booking_stats;
    REFRESH MATERIALIZED VIEW CONCURRENTLY hotel_social_proof;
END;
$$;

COMMENT ON FUNCTION refresh_analytics_views() IS
    'Refreshes the analytics materialized views without blocking readers; run hourly by a scheduler.';
