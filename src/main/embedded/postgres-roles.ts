import pg from 'pg'

/** The role the service logs in as: no superuser, the owner of its database only. */
export const SERVICE_ROLE = 'millstream'

/** The service's database in the embedded server. */
export const SERVICE_DATABASE = 'millstream'

/**
 * Makes the service role (or resets its password to the stored one) and its database, owned
 * by it. Run as the superuser on the `postgres` database. Role and database names are
 * constants, so they are written into the statements; the password goes as a quoted literal,
 * as utility statements take no parameters.
 */
export async function provisionServiceRole(admin: pg.Client, password: string): Promise<void> {
  await admin.query(
    `DO $$ BEGIN
       IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${SERVICE_ROLE}') THEN
         CREATE ROLE ${SERVICE_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION;
       END IF;
     END $$`,
  )
  await admin.query(
    `ALTER ROLE ${SERVICE_ROLE} NOSUPERUSER LOGIN PASSWORD ${admin.escapeLiteral(password)}`,
  )
  const owner = await admin.query<{ owner: string }>(
    `SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1`,
    [SERVICE_DATABASE],
  )
  if (owner.rowCount === 0)
    await admin.query(`CREATE DATABASE ${SERVICE_DATABASE} OWNER ${SERVICE_ROLE}`)
  else if (owner.rows[0]?.owner !== SERVICE_ROLE)
    await admin.query(`ALTER DATABASE ${SERVICE_DATABASE} OWNER TO ${SERVICE_ROLE}`)
}

/**
 * Hands every object of the service's database that another role owns (tables, partitions,
 * views, sequences, functions, schemas other than the system's) to the service role, in one
 * transaction. Data folders from before the service role had everything owned by the
 * superuser; `REASSIGN OWNED` cannot move the bootstrap superuser's objects, so each is
 * altered. Run as the superuser on the service's database; a no-op once done.
 */
export async function handOverOwnership(admin: pg.Client): Promise<number> {
  const owned = `pg_get_userbyid(%s) <> '${SERVICE_ROLE}'`
  const userSchemas = `n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg_temp%' AND n.nspname NOT LIKE 'pg_toast_temp%'`
  await admin.query('BEGIN')
  try {
    await admin.query(
      `DO $$
       DECLARE r record; moved int := 0;
       BEGIN
         FOR r IN SELECT n.nspname FROM pg_namespace n
                  WHERE ${userSchemas} AND ${owned.replace('%s', 'n.nspowner')}
                    AND pg_get_userbyid(n.nspowner) <> 'pg_database_owner' LOOP
           EXECUTE format('ALTER SCHEMA %I OWNER TO ${SERVICE_ROLE}', r.nspname);
           moved := moved + 1;
         END LOOP;
         -- Tables first: their indexes, and the sequences of their identity and serial columns, follow them.
         FOR r IN SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                  WHERE ${userSchemas} AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
                    AND ${owned.replace('%s', 'c.relowner')} LOOP
           EXECUTE format('ALTER TABLE %I.%I OWNER TO ${SERVICE_ROLE}', r.nspname, r.relname);
           moved := moved + 1;
         END LOOP;
         FOR r IN SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                  WHERE ${userSchemas} AND c.relkind = 'S' AND ${owned.replace('%s', 'c.relowner')} LOOP
           EXECUTE format('ALTER SEQUENCE %I.%I OWNER TO ${SERVICE_ROLE}', r.nspname, r.relname);
           moved := moved + 1;
         END LOOP;
         FOR r IN SELECT p.oid::regprocedure AS signature FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                  WHERE ${userSchemas} AND ${owned.replace('%s', 'p.proowner')} LOOP
           EXECUTE format('ALTER ROUTINE %s OWNER TO ${SERVICE_ROLE}', r.signature);
           moved := moved + 1;
         END LOOP;
         PERFORM set_config('millstream.moved', moved::text, true);
       END $$`,
    )
    const result = await admin.query<{ moved: number }>(
      `SELECT current_setting('millstream.moved')::int AS moved`,
    )
    await admin.query('COMMIT')
    return result.rows[0]?.moved ?? 0
  } catch (err) {
    await admin.query('ROLLBACK').catch(() => undefined)
    throw err
  }
}
