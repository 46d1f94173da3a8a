#!/bin/bash
# Run once by the postgres image, on an empty data volume (/docker-entrypoint-initdb.d): the
# service's own role, no superuser, owning its database and so everything the migrations make
# in it. The superuser (postgres, password from a secret file) is for administration only.
set -euo pipefail
# (No apostrophe in the message below: inside "${…:?…}" bash takes it for an opening quote.)
: "${MILLSTREAM_PASSWORD:?the password of the service role (POSTGRES_PASSWORD in deploy/.env)}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v password="$MILLSTREAM_PASSWORD" <<'SQL'
CREATE ROLE millstream LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD :'password';
CREATE DATABASE millstream OWNER millstream;
SQL

