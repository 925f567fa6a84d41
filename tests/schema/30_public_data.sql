-- Social proof (aggregated hotel ratings) is public to the application: any customer
-- sees it, although it is computed from other customers' bookings.

-- test: social proof is readable by every customer
-- as: app_user
-- set: app.user_id = '00000000-0000-0000-0000-00000000a11c'
-- expect: 1 row
SELECT hotel_code, distinct_guests FROM hotel_social_proof WHERE hotel_code = 'HTL-HARBOUR';

-- expect: value = 3
SELECT distinct_guests FROM hotel_social_proof WHERE hotel_code = 'HTL-HARBOUR';

-- test: the application cannot change social proof
-- as: app_user
-- set: app.user_id = '00000000-0000-0000-0000-00000000a11c'
-- expect: error insufficient_privilege
REFRESH MATERIALIZED VIEW hotel_social_proof;
