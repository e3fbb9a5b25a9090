-- Each service owns its own database and never reads another's tables.
CREATE DATABASE kam_intake;
CREATE DATABASE kam_escalation;
CREATE DATABASE kam_assessment;
CREATE DATABASE kam_compensation;
CREATE DATABASE kam_notify;

-- Streaming replication, for the cluster profile's postgres-standby (docker/postgres-standby.sh).
-- With KAM_REPLICATION_USER and KAM_REPLICATION_PASSWORD both set (docker-compose.yml passes them
-- to postgres), this makes a role that may replicate and nothing else, lets replication connections
-- in over the network with a password (the image's "host all all all" line does not cover them),
-- and keeps 512 MB of WAL for a standby that was away a while. Without them it does nothing.
-- Like the rest of this file it runs on the first start only, on an empty volume; for a database
-- made before, run the same by hand (psql as the superuser, then SELECT pg_reload_conf()).
-- \getenv needs psql 15 (the postgres:15 image).
\getenv kam_repl_user KAM_REPLICATION_USER
\getenv kam_repl_password KAM_REPLICATION_PASSWORD
\if :{?kam_repl_user}
\else
\set kam_repl_user ''
\endif
\if :{?kam_repl_password}
\else
\set kam_repl_password ''
\endif
SELECT :'kam_repl_user' <> '' AND :'kam_repl_password' <> '' AS kam_replication \gset
\if :kam_replication
CREATE ROLE :"kam_repl_user" WITH LOGIN REPLICATION PASSWORD :'kam_repl_password';
ALTER SYSTEM SET wal_keep_size = '512MB';
\! echo 'host replication all all scram-sha-256' >> "$PGDATA/pg_hba.conf"
\endif
