-- Extensions used by the schema. Both ship with PostgreSQL contrib.
-- gen_random_uuid() is built into PostgreSQL 13+, so uuid-ossp is not needed.

-- Case-insensitive text, used for usernames.
CREATE EXTENSION citext;

-- Cryptographic helpers (digest(), crypt()) for hashing and integrity checks.
CREATE EXTENSION pgcrypto;
