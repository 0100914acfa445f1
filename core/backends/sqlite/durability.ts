/**
 * How hard an acknowledged SQLite write is held (its own module, free of the driver, so the
 * store's configuration types never pull in better-sqlite3's). 'full': `synchronous=FULL`, on
 * disk when the call resolves. 'normal': WAL's `synchronous=NORMAL`, which survives a process
 * crash but can lose the last commits on power loss or an OS crash.
 */
export type SqliteDurability = 'full' | 'normal';
