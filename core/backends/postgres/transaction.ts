/**
 * Several statements in one transaction, on a pooled client held for the duration. Errors arrive
 * mapped (see pg-errors.ts); a client whose connection failed, or whose ROLLBACK did, is discarded
 * rather than returned to the pool, since its session state is unknown.
 */
import type pg from 'pg';
import { mapPgError } from './pg-errors.js';

export type TransactionQuery = <R extends pg.QueryResultRow>(text: string, values: unknown[]) => Promise<R[]>;

export type RunTransaction = <T>(work: (query: TransactionQuery) => Promise<T>) => Promise<T>;

export function createTransactionRunner(pool: pg.Pool, queryTimeoutMs: number): RunTransaction {
  return async <T>(work: (query: TransactionQuery) => Promise<T>): Promise<T> => {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw mapPgError(error);
    }
    // While checked out, the pool no longer listens to the client: a connection lost between two
    // statements would be an unhandled 'error' event. The failure reaches us through the next
    // statement instead, so the event itself needs no more than a listener.
    let lost: unknown = null;
    const onLost = (error: unknown): void => {
      lost = error;
    };
    client.on('error', onLost);
    const query: TransactionQuery = async <R extends pg.QueryResultRow>(text: string, values: unknown[]) => {
      const config: pg.QueryConfig & { query_timeout: number } = { text, values, query_timeout: queryTimeoutMs };
      return (await client.query<R>(config)).rows;
    };
    let discard = false;
    try {
      await query('BEGIN', []);
      const result = await work(query);
      await query('COMMIT', []);
      return result;
    } catch (error) {
      try {
        await query('ROLLBACK', []);
      } catch {
        // The original error is the one to report; this client is only no longer usable.
        discard = true;
      }
      throw mapPgError(error);
    } finally {
      client.off('error', onLost);
      client.release(discard || lost !== null);
    }
  };
}
