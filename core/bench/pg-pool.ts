import pg from 'pg';

/**
 * A pool for a baseline. An idle client's error (the server ending its connection) is reported on
 * the log line instead of crashing the run, as an application's pool handler would.
 */
export function createPool(connectionString: string, max: number, log: (line: string) => void): pg.Pool {
  const pool = new pg.Pool({ connectionString, max });
  pool.on('error', (error) => log(`idle PostgreSQL client: ${error.message}`));
  return pool;
}
