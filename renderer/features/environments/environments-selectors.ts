import type { EnvironmentView } from '../../api/contract.js';
import type { AppState } from '../../state/types.js';

export function selectCurrentEnvironment(state: AppState): EnvironmentView | null {
  return state.environments.items.find((e) => e.id === state.environmentId) ?? null;
}

/** Writes are allowed only on a known, writable environment: unknown means no. */
export function selectReadOnlyReason(state: AppState): string | null {
  const env = selectCurrentEnvironment(state);
  if (!env) return 'No environment selected.';
  if (env.readOnly) return `${env.name} is read-only${env.kind === 'production' ? ' (production)' : ''}. Edit the environment to allow writes.`;
  return null;
}

/** Production content stays masked until the user reveals it. */
export function selectMasked(state: AppState): boolean {
  const env = selectCurrentEnvironment(state);
  return (env?.masked ?? false) && !state.revealed;
}

/** A readable one-liner for a connection; the server already strips passwords. */
export function describeConnection(env: EnvironmentView): string {
  const c = env.connection;
  const parts: string[] = [];
  if (c.sqlite) parts.push(`SQLite ${c.sqlite.path}`);
  if (c.postgres) parts.push(stripPassword(c.postgres.url));
  if (c.redis) parts.push(`${stripPassword(c.redis.url)}${c.redis.topology !== 'standalone' ? ` (${c.redis.topology})` : ''}`);
  return parts.join(' + ') || 'No connection';
}

export function stripPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '•••';
    return parsed.toString();
  } catch {
    return url.replace(/:\/\/([^:/@]*):[^@]*@/, '://$1:•••@');
  }
}

export const KIND_DEFAULTS = {
  local: { color: '#3fb68b', readOnly: false },
  staging: { color: '#e0a526', readOnly: false },
  production: { color: '#e5484d', readOnly: true },
} as const;
