-- The administrators' role sees every customer's rows.

-- test: users: the admin role sees every row
-- as: app_admin
-- expect: 3 rows
SELECT * FROM users;

-- test: user_profiles: the admin role sees every row
-- as: app_admin
-- expect: 3 rows
SELECT * FROM user_profiles;

-- test: user_communication_preferences: the admin role sees every row
-- as: app_admin
-- expect: 3 rows
SELECT * FROM user_communication_preferences;

-- test: user_sessions: the admin role sees every row
-- as: app_admin
-- expect: 3 rows
SELECT * FROM user_sessions;

-- test: passenger_details: the admin role sees every row
-- as: app_admin
-- expect: 3 rows
SELECT * FROM passenger_details;

-- test: trips: the admin role sees every row
-- as: app_admin
-- expect: 3 rows
SELECT * FROM trips;

-- test: bookings: the admin role sees every row
-- as: app_admin
-- expect: 3 rows
SELECT * FROM bookings;

-- test: booking_outcomes: the admin role sees every row
-- as: app_admin
-- expect: 3 rows
SELECT * FROM booking_outcomes;

-- test: plans: the admin role sees every row
-- as: app_admin
-- expect: 3 rows
SELECT * FROM plans;

-- test: plan_activities: the admin role sees every row
-- as: app_admin
-- expect: 3 rows
SELECT * FROM plan_activities;

-- test: user_goals: the admin role sees every row
-- as: app_admin
-- expect: 3 rows
SELECT * FROM user_goals;

-- test: price_watches: the admin role sees every row
-- as: app_admin
-- expect: 3 rows
SELECT * FROM price_watches;

-- test: saved_searches: the admin role sees every row
-- as: app_admin
-- expect: 3 rows
SELECT * FROM saved_searches;

-- test: user_favorites: the admin role sees every row
-- as: app_admin
-- expect: 3 rows
SELECT * FROM user_favorites;

-- test: conversations: the admin role sees every row
-- as: app_admin
-- expect: 3 rows
SELECT * FROM conversations;

-- test: conversation_messages: the admin role sees every row
-- as: app_admin
-- expect: 3 rows
SELECT * FROM conversation_messages;

-- test: agent_feedback: the admin role sees every row
-- as: app_admin
-- expect: 3 rows
SELECT * FROM agent_feedback;

-- test: notifications: the admin role sees every row
-- as: app_admin
-- expect: 3 rows
SELECT * FROM notifications;

-- test: user_events: the admin role sees every row
-- as: app_admin
-- expect: 3 rows
SELECT * FROM user_events;

-- test: search_analytics: the admin role sees every row
-- as: app_admin
-- expect: 3 rows
SELECT * FROM search_analytics;

-- test: user_feedback: the admin role sees every row
-- as: app_admin
-- expect: 3 rows
SELECT * FROM user_feedback;

-- test: user_behavior_log: the admin role sees every row
-- as: app_admin
-- expect: 3 rows
SELECT * FROM user_behavior_log;
