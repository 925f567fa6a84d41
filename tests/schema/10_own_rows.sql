-- Every user-owned table: a signed-in customer sees and changes only their own rows.
-- The fixtures give Alice, Bob and Carol one row each in every one of these tables.

-- test: users: a user sees and changes only their own rows
-- as: app_user
-- set: app.user_id = '00000000-0000-0000-0000-00000000a11c'
-- expect: 1 row
SELECT * FROM users;

-- expect: 1 row
UPDATE users SET email = email;

-- expect: error insufficient_privilege
DELETE FROM users WHERE id = '00000000-0000-0000-0000-000000000b0b';

-- nobody signed in: nothing is visible
-- set: app.user_id = ''
-- expect: 0 rows
SELECT * FROM users;

-- test: user_profiles: a user sees and changes only their own rows
-- as: app_user
-- set: app.user_id = '00000000-0000-0000-0000-00000000a11c'
-- expect: 1 row
SELECT * FROM user_profiles;

-- expect: 1 row
UPDATE user_profiles SET user_id = user_id;

-- expect: 0 rows
DELETE FROM user_profiles WHERE user_id = '00000000-0000-0000-0000-000000000b0b';

-- expect: error insufficient_privilege
UPDATE user_profiles SET user_id = '00000000-0000-0000-0000-000000000b0b' WHERE user_id = '00000000-0000-0000-0000-00000000a11c';

-- nobody signed in: nothing is visible
-- set: app.user_id = ''
-- expect: 0 rows
SELECT * FROM user_profiles;

-- test: user_communication_preferences: a user sees and changes only their own rows
-- as: app_user
-- set: app.user_id = '00000000-0000-0000-0000-00000000a11c'
-- expect: 1 row
SELECT * FROM user_communication_preferences;

-- expect: 1 row
UPDATE user_communication_preferences SET user_id = user_id;

-- expect: 0 rows
DELETE FROM user_communication_preferences WHERE user_id = '00000000-0000-0000-0000-000000000b0b';

-- expect: error insufficient_privilege
UPDATE user_communication_preferences SET user_id = '00000000-0000-0000-0000-000000000b0b' WHERE user_id = '00000000-0000-0000-0000-00000000a11c';

-- nobody signed in: nothing is visible
-- set: app.user_id = ''
-- expect: 0 rows
SELECT * FROM user_communication_preferences;

-- test: user_sessions: a user sees and changes only their own rows
-- as: app_user
-- set: app.user_id = '00000000-0000-0000-0000-00000000a11c'
-- expect: 1 row
SELECT * FROM user_sessions;

-- expect: 1 row
UPDATE user_sessions SET user_id = user_id;

-- expect: 0 rows
DELETE FROM user_sessions WHERE user_id = '00000000-0000-0000-0000-000000000b0b';

-- expect: error insufficient_privilege
UPDATE user_sessions SET user_id = '00000000-0000-0000-0000-000000000b0b' WHERE user_id = '00000000-0000-0000-0000-00000000a11c';

-- nobody signed in: nothing is visible
-- set: app.user_id = ''
-- expect: 0 rows
SELECT * FROM user_sessions;

-- test: passenger_details: a user sees and changes only their own rows
-- as: app_user
-- set: app.user_id = '00000000-0000-0000-0000-00000000a11c'
-- expect: 1 row
SELECT * FROM passenger_details;

-- expect: 1 row
UPDATE passenger_details SET user_id = user_id;

-- expect: 0 rows
DELETE FROM passenger_details WHERE user_id = '00000000-0000-0000-0000-000000000b0b';

-- expect: error insufficient_privilege
UPDATE passenger_details SET user_id = '00000000-0000-0000-0000-000000000b0b' WHERE user_id = '00000000-0000-0000-0000-00000000a11c';

-- nobody signed in: nothing is visible
-- set: app.user_id = ''
-- expect: 0 rows
SELECT * FROM passenger_details;

-- test: trips: a user sees and changes only their own rows
-- as: app_user
-- set: app.user_id = '00000000-0000-0000-0000-00000000a11c'
-- expect: 1 row
SELECT * FROM trips;

-- expect: 1 row
UPDATE trips SET user_id = user_id;

-- expect: 0 rows
DELETE FROM trips WHERE user_id = '00000000-0000-0000-0000-000000000b0b';

-- expect: error insufficient_privilege
UPDATE trips SET user_id = '00000000-0000-0000-0000-000000000b0b' WHERE user_id = '00000000-0000-0000-0000-00000000a11c';

-- nobody signed in: nothing is visible
-- set: app.user_id = ''
-- expect: 0 rows
SELECT * FROM trips;

-- test: bookings: a user sees and changes only their own rows
-- as: app_user
-- set: app.user_id = '00000000-0000-0000-0000-00000000a11c'
-- expect: 1 row
SELECT * FROM bookings;

-- expect: 1 row
UPDATE bookings SET user_id = user_id;

-- expect: 0 rows
DELETE FROM bookings WHERE user_id = '00000000-0000-0000-0000-000000000b0b';

-- expect: error insufficient_privilege
UPDATE bookings SET user_id = '00000000-0000-0000-0000-000000000b0b' WHERE user_id = '00000000-0000-0000-0000-00000000a11c';

-- nobody signed in: nothing is visible
-- set: app.user_id = ''
-- expect: 0 rows
SELECT * FROM bookings;

-- test: booking_outcomes: a user sees and changes only their own rows
-- as: app_user
-- set: app.user_id = '00000000-0000-0000-0000-00000000a11c'
-- expect: 1 row
SELECT * FROM booking_outcomes;

-- expect: 1 row
UPDATE booking_outcomes SET user_id = user_id;

-- expect: 0 rows
DELETE FROM booking_outcomes WHERE user_id = '00000000-0000-0000-0000-000000000b0b';

-- expect: error insufficient_privilege
UPDATE booking_outcomes SET user_id = '00000000-0000-0000-0000-000000000b0b' WHERE user_id = '00000000-0000-0000-0000-00000000a11c';

-- nobody signed in: nothing is visible
-- set: app.user_id = ''
-- expect: 0 rows
SELECT * FROM booking_outcomes;

-- test: plans: a user sees and changes only their own rows
-- as: app_user
-- set: app.user_id = '00000000-0000-0000-0000-00000000a11c'
-- expect: 1 row
SELECT * FROM plans;

-- expect: 1 row
UPDATE plans SET user_id = user_id;

-- expect: 0 rows
DELETE FROM plans WHERE user_id = '00000000-0000-0000-0000-000000000b0b';

-- expect: error insufficient_privilege
UPDATE plans SET user_id = '00000000-0000-0000-0000-000000000b0b' WHERE user_id = '00000000-0000-0000-0000-00000000a11c';

-- nobody signed in: nothing is visible
-- set: app.user_id = ''
-- expect: 0 rows
SELECT * FROM plans;

-- test: plan_activities: a user sees and changes only their own rows
-- as: app_user
-- set: app.user_id = '00000000-0000-0000-0000-00000000a11c'
-- expect: 1 row
SELECT * FROM plan_activities;

-- expect: 1 row
UPDATE plan_activities SET title = title;

-- nobody signed in: nothing is visible
-- set: app.user_id = ''
-- expect: 0 rows
SELECT * FROM plan_activities;

-- test: user_goals: a user sees and changes only their own rows
-- as: app_user
-- set: app.user_id = '00000000-0000-0000-0000-00000000a11c'
-- expect: 1 row
SELECT * FROM user_goals;

-- expect: 1 row
UPDATE user_goals SET user_id = user_id;

-- expect: 0 rows
DELETE FROM user_goals WHERE user_id = '00000000-0000-0000-0000-000000000b0b';

-- expect: error insufficient_privilege
UPDATE user_goals SET user_id = '00000000-0000-0000-0000-000000000b0b' WHERE user_id = '00000000-0000-0000-0000-00000000a11c';

-- nobody signed in: nothing is visible
-- set: app.user_id = ''
-- expect: 0 rows
SELECT * FROM user_goals;

-- test: price_watches: a user sees and changes only their own rows
-- as: app_user
-- set: app.user_id = '00000000-0000-0000-0000-00000000a11c'
-- expect: 1 row
SELECT * FROM price_watches;

-- expect: 1 row
UPDATE price_watches SET user_id = user_id;

-- expect: 0 rows
DELETE FROM price_watches WHERE user_id = '00000000-0000-0000-0000-000000000b0b';

-- expect: error insufficient_privilege
UPDATE price_watches SET user_id = '00000000-0000-0000-0000-000000000b0b' WHERE user_id = '00000000-0000-0000-0000-00000000a11c';

-- nobody signed in: nothing is visible
-- set: app.user_id = ''
-- expect: 0 rows
SELECT * FROM price_watches;

-- test: saved_searches: a user sees and changes only their own rows
-- as: app_user
-- set: app.user_id = '00000000-0000-0000-0000-00000000a11c'
-- expect: 1 row
SELECT * FROM saved_searches;

-- expect: 1 row
UPDATE saved_searches SET user_id = user_id;

-- expect: 0 rows
DELETE FROM saved_searches WHERE user_id = '00000000-0000-0000-0000-000000000b0b';

-- expect: error insufficient_privilege
UPDATE saved_searches SET user_id = '00000000-0000-0000-0000-000000000b0b' WHERE user_id = '00000000-0000-0000-0000-00000000a11c';

-- nobody signed in: nothing is visible
-- set: app.user_id = ''
-- expect: 0 rows
SELECT * FROM saved_searches;

-- test: user_favorites: a user sees and changes only their own rows
-- as: app_user
-- set: app.user_id = '00000000-0000-0000-0000-00000000a11c'
-- expect: 1 row
SELECT * FROM user_favorites;

-- expect: 1 row
UPDATE user_favorites SET user_id = user_id;

-- expect: 0 rows
DELETE FROM user_favorites WHERE user_id = '00000000-0000-0000-0000-000000000b0b';

-- expect: error insufficient_privilege
UPDATE user_favorites SET user_id = '00000000-0000-0000-0000-000000000b0b' WHERE user_id = '00000000-0000-0000-0000-00000000a11c';

-- nobody signed in: nothing is visible
-- set: app.user_id = ''
-- expect: 0 rows
SELECT * FROM user_favorites;

-- test: conversations: a user sees and changes only their own rows
-- as: app_user
-- set: app.user_id = '00000000-0000-0000-0000-00000000a11c'
-- expect: 1 row
SELECT * FROM conversations;

-- expect: 1 row
UPDATE conversations SET user_id = user_id;

-- expect: 0 rows
DELETE FROM conversations WHERE user_id = '00000000-0000-0000-0000-000000000b0b';

-- expect: error insufficient_privilege
UPDATE conversations SET user_id = '00000000-0000-0000-0000-000000000b0b' WHERE user_id = '00000000-0000-0000-0000-00000000a11c';

-- nobody signed in: nothing is visible
-- set: app.user_id = ''
-- expect: 0 rows
SELECT * FROM conversations;

-- test: conversation_messages: a user sees and changes only their own rows
-- as: app_user
-- set: app.user_id = '00000000-0000-0000-0000-00000000a11c'
-- expect: 1 row
SELECT * FROM conversation_messages;

-- expect: 1 row
UPDATE conversation_messages SET content = content;

-- nobody signed in: nothing is visible
-- set: app.user_id = ''
-- expect: 0 rows
SELECT * FROM conversation_messages;

-- test: agent_feedback: a user sees and changes only their own rows
-- as: app_user
-- set: app.user_id = '00000000-0000-0000-0000-00000000a11c'
-- expect: 1 row
SELECT * FROM agent_feedback;

-- expect: 1 row
UPDATE agent_feedback SET user_id = user_id;

-- expect: 0 rows
DELETE FROM agent_feedback WHERE user_id = '00000000-0000-0000-0000-000000000b0b';

-- expect: error insufficient_privilege
UPDATE agent_feedback SET user_id = '00000000-0000-0000-0000-000000000b0b' WHERE user_id = '00000000-0000-0000-0000-00000000a11c';

-- nobody signed in: nothing is visible
-- set: app.user_id = ''
-- expect: 0 rows
SELECT * FROM agent_feedback;

-- test: notifications: a user sees and changes only their own rows
-- as: app_user
-- set: app.user_id = '00000000-0000-0000-0000-00000000a11c'
-- expect: 1 row
SELECT * FROM notifications;

-- expect: 1 row
UPDATE notifications SET user_id = user_id;

-- expect: 0 rows
DELETE FROM notifications WHERE user_id = '00000000-0000-0000-0000-000000000b0b';

-- expect: error insufficient_privilege
UPDATE notifications SET user_id = '00000000-0000-0000-0000-000000000b0b' WHERE user_id = '00000000-0000-0000-0000-00000000a11c';

-- nobody signed in: nothing is visible
-- set: app.user_id = ''
-- expect: 0 rows
SELECT * FROM notifications;

-- test: user_events: a user sees and changes only their own rows
-- as: app_user
-- set: app.user_id = '00000000-0000-0000-0000-00000000a11c'
-- expect: 1 row
SELECT * FROM user_events;

-- expect: 1 row
UPDATE user_events SET user_id = user_id;

-- expect: 0 rows
DELETE FROM user_events WHERE user_id = '00000000-0000-0000-0000-000000000b0b';

-- expect: error insufficient_privilege
UPDATE user_events SET user_id = '00000000-0000-0000-0000-000000000b0b' WHERE user_id = '00000000-0000-0000-0000-00000000a11c';

-- nobody signed in: nothing is visible
-- set: app.user_id = ''
-- expect: 0 rows
SELECT * FROM user_events;

-- test: search_analytics: a user sees and changes only their own rows
-- as: app_user
-- set: app.user_id = '00000000-0000-0000-0000-00000000a11c'
-- expect: 1 row
SELECT * FROM search_analytics;

-- expect: 1 row
UPDATE search_analytics SET user_id = user_id;

-- expect: 0 rows
DELETE FROM search_analytics WHERE user_id = '00000000-0000-0000-0000-000000000b0b';

-- expect: error insufficient_privilege
UPDATE search_analytics SET user_id = '00000000-0000-0000-0000-000000000b0b' WHERE user_id = '00000000-0000-0000-0000-00000000a11c';

-- nobody signed in: nothing is visible
-- set: app.user_id = ''
-- expect: 0 rows
SELECT * FROM search_analytics;

-- test: user_feedback: a user sees and changes only their own rows
-- as: app_user
-- set: app.user_id = '00000000-0000-0000-0000-00000000a11c'
-- expect: 1 row
SELECT * FROM user_feedback;

-- expect: 1 row
UPDATE user_feedback SET user_id = user_id;

-- expect: 0 rows
DELETE FROM user_feedback WHERE user_id = '00000000-0000-0000-0000-000000000b0b';

-- expect: error insufficient_privilege
UPDATE user_feedback SET user_id = '00000000-0000-0000-0000-000000000b0b' WHERE user_id = '00000000-0000-0000-0000-00000000a11c';

-- nobody signed in: nothing is visible
-- set: app.user_id = ''
-- expect: 0 rows
SELECT * FROM user_feedback;

-- test: user_behavior_log: a user sees and changes only their own rows
-- as: app_user
-- set: app.user_id = '00000000-0000-0000-0000-00000000a11c'
-- expect: 1 row
SELECT * FROM user_behavior_log;

-- expect: 1 row
UPDATE user_behavior_log SET user_id = user_id;

-- expect: 0 rows
DELETE FROM user_behavior_log WHERE user_id = '00000000-0000-0000-0000-000000000b0b';

-- expect: error insufficient_privilege
UPDATE user_behavior_log SET user_id = '00000000-0000-0000-0000-000000000b0b' WHERE user_id = '00000000-0000-0000-0000-00000000a11c';

-- nobody signed in: nothing is visible
-- set: app.user_id = ''
-- expect: 0 rows
SELECT * FROM user_behavior_log;
