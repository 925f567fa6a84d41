-- Per-user reporting views. security_invoker = true makes them read the base tables
-- with the caller's rights, so row-level security limits app_user to its own user.

CREATE VIEW user_profile_summary WITH (security_invoker = true) AS
SELECT u.id                                   AS user_id,
       u.email,
       u.username,
       concat_ws(' ', u.first_name, u.last_name) AS full_name,
       u.status,
       u.email_verified,
       u.created_at                           AS member_since,
       u.last_login_at,
       p.preferred_language,
       p.timezone,
       p.preferred_cabin_class,
       p.seat_preference,
       coalesce(t.trip_count, 0)              AS trip_count,
       coalesce(t.upcoming_trip_count, 0)     AS upcoming_trip_count,
       t.next_trip_start,
       coalesce(b.booking_count, 0)           AS booking_count,
       b.last_booked_at,
       (SELECT count(*) FROM user_favorites f WHERE f.user_id = u.id)                    AS favorite_count,
       (SELECT count(*) FROM price_watches w WHERE w.user_id = u.id AND w.is_active)      AS active_price_watch_count,
       (SELECT count(*) FROM user_goals g WHERE g.user_id = u.id AND g.status = 'active') AS active_goal_count,
       (SELECT count(*) FROM notifications n
         WHERE n.user_id = u.id AND n.read_at IS NULL AND n.status IN ('sent', 'delivered')) AS unread_notification_count
FROM users u
LEFT JOIN user_profiles p ON p.user_id = u.id
LEFT JOIN LATERAL (
    SELECT count(*)                                                        AS trip_count,
           count(*) FILTER (WHERE tr.start_date >= current_date
                              AND tr.status IN ('planning', 'booked'))     AS upcoming_trip_count,
           min(tr.start_date) FILTER (WHERE tr.start_date >= current_date
                                        AND tr.status IN ('planning', 'booked')) AS next_trip_start
    FROM trips tr
    WHERE tr.user_id = u.id
) t ON true
LEFT JOIN LATERAL (
    SELECT count(*) AS booking_count, max(bk.booked_at) AS last_booked_at
    FROM bookings bk
    WHERE bk.user_id = u.id
) b ON true;

COMMENT ON VIEW user_profile_summary IS 'One row per user: account, preferences and activity counters.';

CREATE VIEW user_travel_insights WITH (security_invoker = true) AS
WITH trip_stats AS (
    SELECT tr.user_id,
           count(*) FILTER (WHERE tr.status = 'completed')                      AS completed_trips,
           sum(tr.duration_days) FILTER (WHERE tr.status = 'completed')         AS days_travelled,
           round(avg(tr.duration_days), 1)                                      AS avg_trip_days,
           round(avg(tr.traveler_count), 1)                                     AS avg_party_size,
           mode() WITHIN GROUP (ORDER BY tr.trip_type)                          AS usual_trip_type,
           mode() WITHIN GROUP (ORDER BY extract(month FROM tr.start_date)::int) AS favourite_travel_month
    FROM trips tr
    WHERE tr.status <> 'cancelled'
    GROUP BY tr.user_id
),
destination_stats AS (
    SELECT tr.user_id,
           count(DISTINCT d ->> 'country')                                      AS countries_visited,
           (array_agg(d ->> 'city' ORDER BY tr.start_date DESC))[1:5]           AS recent_cities
    FROM trips tr
    CROSS JOIN LATERAL jsonb_array_elements(tr.destinations) AS d
    WHERE tr.status IN ('traveling', 'completed')
    GROUP BY tr.user_id
),
booking_stats AS (
    SELECT bk.user_id,
           mode() WITHIN GROUP (ORDER BY bk.booking_type)                        AS most_booked_type,
           round(avg(tr.start_date - bk.booked_at::date), 1)                     AS avg_booking_lead_days,
           round(avg(o.overall_rating), 2)                                       AS avg_rating_given
    FROM bookings bk
    LEFT JOIN trips tr ON tr.id = bk.trip_id
    LEFT JOIN booking_outcomes o ON o.booking_id = bk.id
    WHERE bk.status IN ('confirmed', 'completed')
    GROUP BY bk.user_id
)
SELECT u.id                                   AS user_id,
       coalesce(ts.completed_trips, 0)        AS completed_trips,
       coalesce(ts.days_travelled, 0)         AS days_travelled,
       ts.avg_trip_days,
       ts.avg_party_size,
       ts.usual_trip_type,
       ts.favourite_travel_month,
       coalesce(ds.countries_visited, 0)      AS countries_visited,
       ds.recent_cities,
       bs.most_booked_type,
       bs.avg_booking_lead_days,
       bs.avg_rating_given
FROM users u
LEFT JOIN trip_stats ts ON ts.user_id = u.id
LEFT JOIN destination_stats ds ON ds.user_id = u.id
LEFT JOIN booking_stats bs ON bs.user_id = u.id;

COMMENT ON VIEW user_travel_insights IS 'Travel patterns per user: trip lengths, destinations, booking lead time, preferences.';
