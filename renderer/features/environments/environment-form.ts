/** The environment form's fields, and their mapping to and from the API's connection shape. */
import type { ConnectionInput, EnvironmentKind, EnvironmentView } from '../../api/contract.js';
import { KIND_DEFAULTS } from './environments-selectors.js';

export type SslMode = '' | 'disable' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';
export type RedisTopology = 'standalone' | 'cluster' | 'sentinel';

export interface EnvironmentForm {
  name: string;
  kind: EnvironmentKind;
  color: string;
  readOnly: boolean;
  backend: 'sqlite' | 'postgres';
  sqlitePath: string;
  postgresUrl: string;
  sslmode: SslMode;
  useRedis: boolean;
  redisUrl: string;
  redisTls: boolean;
  redisTopology: RedisTopology;
}

export function emptyForm(kind: EnvironmentKind = 'local'): EnvironmentForm {
  return {
    name: '',
    kind,
    color: KIND_DEFAULTS[kind].color,
    readOnly: KIND_DEFAULTS[kind].readOnly,
    backend: 'postgres',
    sqlitePath: '',
    postgresUrl: '',
    sslmode: kind === 'local' ? '' : 'require',
    useRedis: true,
    redisUrl: '',
    redisTls: kind !== 'local',
    redisTopology: 'standalone',
  };
}

/** Changing the kind of a new environment moves its defaults along (production: read-only, red). */
export function withKind(form: EnvironmentForm, kind: EnvironmentKind): EnvironmentForm {
  const before = KIND_DEFAULTS[form.kind];
  return {
    ...form,
    kind,
    color: form.color === before.color ? KIND_DEFAULTS[kind].color : form.color,
    readOnly: kind === 'production' ? true : form.readOnly === before.readOnly ? KIND_DEFAULTS[kind].readOnly : form.readOnly,
  };
}

function redisScheme(tls: boolean, topology: RedisTopology): string {
  const base = tls ? 'rediss' : 'redis';
  return topology === 'standalone' ? base : `${base}+${topology}`;
}

/** Rewrites the Redis URL's scheme from the TLS and topology controls; leaves bad URLs for the server to name. */
export function redisUrlFor(url: string, tls: boolean, topology: RedisTopology): string {
  const trimmed = url.trim();
  const match = /^([a-z+]+):\/\//i.exec(trimmed);
  const rest = match ? trimmed.slice(match[0].length) : trimmed;
  return `${redisScheme(tls, topology)}://${rest}`;
}

export function postgresUrlFor(url: string, sslmode: SslMode): string {
  const trimmed = url.trim();
  try {
    const parsed = new URL(trimmed);
    if (sslmode === '') parsed.searchParams.delete('sslmode');
    else parsed.searchParams.set('sslmode', sslmode);
    return parsed.toString();
  } catch {
    return trimmed;
  }
}

export function connectionFromForm(form: EnvironmentForm): ConnectionInput {
  if (form.backend === 'sqlite') {
    const connection: ConnectionInput = { sqlite: { path: form.sqlitePath.trim() } };
    if (form.useRedis && form.redisUrl.trim()) connection.redis = { url: redisUrlFor(form.redisUrl, form.redisTls, form.redisTopology) };
    return connection;
  }
  const connection: ConnectionInput = { postgres: { url: postgresUrlFor(form.postgresUrl, form.sslmode) } };
  if (form.useRedis && form.redisUrl.trim()) connection.redis = { url: redisUrlFor(form.redisUrl, form.redisTls, form.redisTopology) };
  return connection;
}

export function formFromEnvironment(env: EnvironmentView): EnvironmentForm {
  const c = env.connection;
  const sslmode = (c.postgres?.sslmode ?? '') as SslMode;
  return {
    name: env.name,
    kind: env.kind,
    color: env.color,
    readOnly: env.readOnly,
    backend: c.postgres ? 'postgres' : 'sqlite',
    sqlitePath: c.sqlite?.path ?? '',
    postgresUrl: c.postgres?.url ?? '',
    sslmode,
    useRedis: c.redis !== undefined,
    redisUrl: c.redis?.url ?? '',
    redisTls: c.redis?.tls ?? false,
    redisTopology: c.redis?.topology ?? 'standalone',
  };
}

/** Problems to fix before the form can be sent (the server validates again). */
export function formProblems(form: EnvironmentForm): Partial<Record<'name' | 'sqlitePath' | 'postgresUrl' | 'redisUrl', string>> {
  const problems: Partial<Record<'name' | 'sqlitePath' | 'postgresUrl' | 'redisUrl', string>> = {};
  if (!form.name.trim()) problems.name = 'Give the environment a name.';
  if (form.backend === 'sqlite' && !form.sqlitePath.trim()) problems.sqlitePath = 'Path of the SQLite file.';
  if (form.backend === 'postgres' && !/^postgres(ql)?:\/\//i.test(form.postgresUrl.trim())) {
    problems.postgresUrl = 'A URL like postgres://user@host:5432/db';
  }
  if (form.useRedis && form.redisUrl.trim() && !/^[a-z+]+:\/\/.+/i.test(form.redisUrl.trim())) {
    problems.redisUrl = 'A URL like redis://host:6379/0';
  }
  return problems;
}

/** What saving `form` over `saved` would take away, in words; empty when protection stays. */
export function loweredProtection(saved: EnvironmentView | null, form: EnvironmentForm): string[] {
  if (saved === null) return [];
  const lowered: string[] = [];
  if (saved.kind === 'production' && form.kind !== 'production') lowered.push(`it stops being production (becomes ${form.kind}): content is no longer masked`);
  if (saved.readOnly && !form.readOnly) lowered.push('read-only is lifted: renames, redactions, deletes and cache writes will be allowed');
  return lowered;
}
