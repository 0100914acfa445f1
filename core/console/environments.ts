/**
 * The environment registry: connection profiles persisted as JSON (mode 0600) in the data dir.
 * Passwords are split out of URLs and sealed by the SecretBox; when the box can't protect them
 * they live in memory for this session only and are never written.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LOWER_PROTECTION, type ApiInput, type ConnectionInput, type ConnectionSummary, type EnvironmentKind, type EnvironmentView, type OfflineCopyOf } from './api.js';
import { ConsoleError } from './console-error.js';
import {
  displayUrl,
  POSTGRES_SCHEMES,
  POSTGRES_SECRETS,
  REDIS_SCHEMES,
  REDIS_SECRETS,
  splitSecrets,
  summarisePostgres,
  summariseRedis,
  withSecrets,
  type SecretPart,
} from './connection-url.js';
import type { SecretBox } from './secret-box.js';

type Backend = 'postgres' | 'redis';
/**
 * Where a secret sits: `postgres`/`redis` for the userinfo password (the key older files used),
 * `redis@user` for a lone Redis userinfo, `postgres?sslpassword` for a query parameter.
 */
type SecretSlot = Backend | `${Backend}@user` | `${Backend}?${string}`;
type Secrets = Partial<Record<SecretSlot, string>>;

const BACKENDS = ['postgres', 'redis'] as const;

function slotOf(backend: Backend, part: SecretPart): SecretSlot {
  return part === 'password' ? backend : part === 'user' ? `${backend}@user` : `${backend}${part}`;
}

/** The parts of `backend`'s URL that `slots` hold secrets for. */
function partsOf(backend: Backend, slots: Iterable<string>): SecretPart[] {
  const parts: SecretPart[] = [];
  for (const slot of slots) {
    if (slot === backend) parts.push('password');
    else if (slot === `${backend}@user`) parts.push('user');
    else if (slot.startsWith(`${backend}?`)) parts.push(slot.slice(backend.length) as SecretPart);
  }
  return parts;
}

interface StoredEnvironment {
  id: string;
  name: string;
  kind: EnvironmentKind;
  color: string;
  readOnly: boolean;
  builtIn: boolean;
  createdAt: string;
  updatedAt: string;
  /** URLs without any secret. */
  connection: { sqlite?: { path: string }; postgres?: { url: string }; redis?: { url: string } };
  /** Sealed by the SecretBox. */
  secrets: Secrets;
  offlineCopyOf?: OfflineCopyOf;
}

interface RegistryFile {
  version: 1;
  environments: StoredEnvironment[];
}

/** What a store needs to connect: URLs with their passwords back in. Never serialised. */
export interface ResolvedConnection {
  sqlite?: { path: string };
  postgres?: { url: string };
  redis?: { url: string };
}

export const DEFAULT_COLORS: Record<EnvironmentKind, string> = {
  local: '#16a34a',
  staging: '#d97706',
  production: '#dc2626',
};

export class EnvironmentRegistry {
  private readonly file: string;
  private readonly box: SecretBox;
  private environments: StoredEnvironment[];
  /** Passwords that could not be saved: this process only. */
  private readonly sessionSecrets = new Map<string, Secrets>();

  /** The console's data folder (offline copies live under it). */
  readonly dataDir: string;

  constructor(dataDir: string, box: SecretBox) {
    this.dataDir = dataDir;
    this.file = join(dataDir, 'environments.json');
    this.box = box;
    this.environments = this.load();
    if (this.environments.map((env) => this.sealStoredSecrets(env)).some(Boolean)) this.save();
  }

  /**
   * Files written before every kind of URL secret was split out may still hold some in a stored
   * URL (a query-parameter password, a lone Redis userinfo): move them to the box (or to this
   * session) on load. Returns whether anything moved.
   */
  private sealStoredSecrets(env: StoredEnvironment): boolean {
    let moved = false;
    for (const [backend, schemes, rules] of [
      ['postgres', POSTGRES_SCHEMES, POSTGRES_SECRETS],
      ['redis', REDIS_SCHEMES, REDIS_SECRETS],
    ] as const) {
      const target = env.connection[backend];
      if (target === undefined) continue;
      // Older files stored `user@host` once they had taken the password out: with that password
      // saved, what is left of the userinfo is the user name.
      const hasPassword = env.secrets[backend] !== undefined || this.sessionSecrets.get(env.id)?.[backend] !== undefined;
      const split = splitSecrets(`${backend}.url`, target.url, schemes, hasPassword ? { ...rules, loneUserIsSecret: false } : rules);
      if (split.url === target.url) continue;
      const secrets: Secrets = {};
      for (const [part, value] of Object.entries(split.secrets) as Array<[SecretPart, string | undefined]>) {
        if (value !== undefined) secrets[slotOf(backend, part)] = value;
      }
      env.connection[backend] = { url: split.url };
      this.storeSecrets(env, secrets);
      moved = true;
    }
    return moved;
  }

  get secretBox(): SecretBox {
    return this.box;
  }

  isEmpty(): boolean {
    return this.environments.length === 0;
  }

  list(): EnvironmentView[] {
    return this.environments.map((env) => this.view(env));
  }

  get(environmentId: string): EnvironmentView {
    return this.view(this.find(environmentId));
  }

  create(input: ApiInput<'environments.create'> & { builtIn?: boolean }): EnvironmentView {
    const now = new Date().toISOString();
    const { connection, secrets } = splitConnection(input.connection);
    const env: StoredEnvironment = {
      id: randomUUID(),
      name: input.name.trim(),
      kind: input.kind,
      color: input.color ?? DEFAULT_COLORS[input.kind],
      readOnly: input.readOnly ?? input.kind === 'production',
      builtIn: input.builtIn ?? false,
      createdAt: now,
      updatedAt: now,
      connection,
      secrets: {},
    };
    this.storeSecrets(env, secrets);
    this.environments.push(env);
    this.save();
    return this.view(env);
  }

  /** Registers a saved offline copy: a local, read-only SQLite environment. */
  createOfflineCopy(input: { name: string; path: string; offlineCopyOf: OfflineCopyOf }): EnvironmentView {
    const now = new Date().toISOString();
    const env: StoredEnvironment = {
      id: randomUUID(),
      name: input.name,
      kind: 'local',
      color: DEFAULT_COLORS.local,
      readOnly: true,
      builtIn: false,
      createdAt: now,
      updatedAt: now,
      connection: { sqlite: { path: input.path } },
      secrets: {},
      offlineCopyOf: { ...input.offlineCopyOf },
    };
    this.environments.push(env);
    this.save();
    return this.view(env);
  }

  /** The offline copies saved from `environmentId`, newest first. */
  offlineCopiesOf(environmentId: string): EnvironmentView[] {
    return this.environments
      .filter((env) => env.offlineCopyOf?.environmentId === environmentId)
      .sort((a, b) => (b.offlineCopyOf?.savedAt ?? '').localeCompare(a.offlineCopyOf?.savedAt ?? ''))
      .map((env) => this.view(env));
  }

  update(input: ApiInput<'environments.update'>): EnvironmentView {
    const env = this.find(input.environmentId);
    const lowered = loweredProtection(env, input);
    if (lowered.length > 0 && input.confirm !== LOWER_PROTECTION) {
      throw new ConsoleError('CONFIRMATION_REQUIRED', `This change ${lowered.join(' and ')} of “${env.name}”: confirm it to go ahead.`, { field: 'confirm' });
    }
    if (input.name !== undefined) env.name = input.name.trim();
    if (input.kind !== undefined) {
      // A profile moved to production becomes read-only unless the same call says otherwise.
      if (input.kind === 'production' && env.kind !== 'production' && input.readOnly === undefined) env.readOnly = true;
      env.kind = input.kind;
    }
    if (input.color !== undefined) env.color = input.color;
    if (input.readOnly !== undefined) env.readOnly = input.readOnly;
    if (input.clearPasswords === true) {
      env.secrets = {};
      this.sessionSecrets.delete(env.id);
    }
    if (input.connection !== undefined) {
      const { connection, secrets, kept } = splitConnection(input.connection);
      for (const slot of this.slots(env)) {
        if (!keepsSecret(env, slot, input.connection, { connection, secrets, kept })) this.dropSecret(env, slot);
      }
      env.connection = connection;
      this.storeSecrets(env, secrets);
    }
    env.updatedAt = new Date().toISOString();
    this.save();
    return this.view(env);
  }

  remove(environmentId: string): void {
    this.find(environmentId);
    this.environments = this.environments.filter((e) => e.id !== environmentId);
    this.sessionSecrets.delete(environmentId);
    this.save();
  }

  /** The connection with passwords restored, for opening a store. */
  resolve(environmentId: string): ResolvedConnection {
    const env = this.find(environmentId);
    const resolved: ResolvedConnection = {};
    if (env.connection.sqlite) resolved.sqlite = { ...env.connection.sqlite };
    for (const backend of BACKENDS) {
      const target = env.connection[backend];
      if (target === undefined) continue;
      const secrets: Partial<Record<SecretPart, string>> = {};
      for (const slot of this.slots(env)) {
        const [part] = partsOf(backend, [slot]);
        if (part === undefined) continue;
        const value = this.secret(env, slot);
        if (value !== null) secrets[part] = value;
      }
      resolved[backend] = { url: withSecrets(target.url, secrets) };
    }
    return resolved;
  }

  /**
   * A draft of an edit, resolved for a connection test: what the edit would save, with the saved
   * secrets it would keep. Never stored.
   */
  resolveDraft(environmentId: string, draft: ConnectionInput): ResolvedConnection {
    const env = this.find(environmentId);
    const split = splitConnection(draft);
    const resolved: ResolvedConnection = {};
    if (split.connection.sqlite) resolved.sqlite = { ...split.connection.sqlite };
    for (const backend of BACKENDS) {
      const target = split.connection[backend];
      if (target === undefined) continue;
      const secrets: Partial<Record<SecretPart, string>> = {};
      for (const [slot, value] of Object.entries(split.secrets)) {
        const [part] = partsOf(backend, [slot]);
        if (part !== undefined && value !== undefined) secrets[part] = value;
      }
      for (const slot of this.slots(env)) {
        const [part] = partsOf(backend, [slot]);
        if (part === undefined || !keepsSecret(env, slot, draft, split)) continue;
        const value = this.secret(env, slot);
        if (value !== null) secrets[part] = value;
      }
      resolved[backend] = { url: withSecrets(target.url, secrets) };
    }
    return resolved;
  }

  /** Every slot that holds a secret for `env`, saved or for this session. */
  private slots(env: StoredEnvironment): SecretSlot[] {
    const session = this.sessionSecrets.get(env.id) ?? {};
    const slots = new Set<SecretSlot>();
    for (const [slot, value] of Object.entries(env.secrets)) if (value !== undefined) slots.add(slot as SecretSlot);
    for (const [slot, value] of Object.entries(session)) if (value !== undefined) slots.add(slot as SecretSlot);
    return [...slots];
  }

  private secret(env: StoredEnvironment, slot: SecretSlot): string | null {
    const sealed = env.secrets[slot];
    if (sealed !== undefined) {
      try {
        return this.box.decrypt(sealed);
      } catch (error) {
        throw new ConsoleError('CONNECTION_FAILED', `The saved ${slot} password of “${env.name}” can no longer be decrypted; enter it again.`, {
          cause: error,
        });
      }
    }
    return this.sessionSecrets.get(env.id)?.[slot] ?? null;
  }

  private storeSecrets(env: StoredEnvironment, secrets: Secrets): void {
    for (const [key, password] of Object.entries(secrets)) {
      const slot = key as SecretSlot;
      if (password === undefined) continue;
      if (this.box.canSave) {
        env.secrets[slot] = this.box.encrypt(password);
      } else {
        const session = this.sessionSecrets.get(env.id) ?? {};
        session[slot] = password;
        this.sessionSecrets.set(env.id, session);
      }
    }
  }

  private dropSecret(env: StoredEnvironment, slot: SecretSlot): void {
    delete env.secrets[slot];
    const session = this.sessionSecrets.get(env.id);
    if (session) delete session[slot];
  }

  private find(environmentId: string): StoredEnvironment {
    const env = this.environments.find((e) => e.id === environmentId);
    if (!env) throw new ConsoleError('NOT_FOUND', 'No such environment (it may have been removed).', { field: 'environmentId' });
    return env;
  }

  private view(env: StoredEnvironment): EnvironmentView {
    const connection: ConnectionSummary = {};
    if (env.connection.sqlite) connection.sqlite = { ...env.connection.sqlite };
    const slots = this.slots(env);
    if (env.connection.postgres) {
      const url = env.connection.postgres.url;
      connection.postgres = summarisePostgres(url, displayUrl(url, partsOf('postgres', slots)));
    }
    if (env.connection.redis) {
      const url = env.connection.redis.url;
      connection.redis = summariseRedis(url, displayUrl(url, partsOf('redis', slots)));
    }
    const saved = Object.keys(env.secrets).length > 0;
    const session = Object.values(this.sessionSecrets.get(env.id) ?? {}).some((v) => v !== undefined);
    return {
      id: env.id,
      name: env.name,
      kind: env.kind,
      color: env.color,
      readOnly: env.readOnly,
      masked: env.kind === 'production',
      connection,
      hasSecret: saved || session,
      secret: saved ? 'saved' : session ? 'session' : 'none',
      builtIn: env.builtIn,
      createdAt: env.createdAt,
      updatedAt: env.updatedAt,
      ...(env.offlineCopyOf !== undefined ? { offlineCopyOf: { ...env.offlineCopyOf } } : {}),
    };
  }

  private load(): StoredEnvironment[] {
    if (!existsSync(this.file)) return [];
    const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as RegistryFile;
    if (parsed.version !== 1 || !Array.isArray(parsed.environments)) throw new Error(`${this.file}: unknown format`);
    return parsed.environments;
  }

  private save(): void {
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    const body: RegistryFile = { version: 1, environments: this.environments };
    // Write then rename: a crash never leaves a half-written registry.
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(body, null, 2), { mode: 0o600 });
    renameSync(tmp, this.file);
  }
}

/** What an update would take away: moving off production, lifting read-only. Empty when nothing. */
export function loweredProtection(env: { kind: EnvironmentKind; readOnly: boolean }, input: ApiInput<'environments.update'>): string[] {
  const lowered: string[] = [];
  if (env.kind === 'production' && input.kind !== undefined && input.kind !== 'production') lowered.push(`moves it from production to ${input.kind}`);
  if (env.readOnly && input.readOnly === false) lowered.push('lifts read-only');
  return lowered;
}

/**
 * Whether an edit keeps a saved secret: its backend still points at the same place, the edit
 * brings no new value for it, and its URL either shows `***` there or carries no secret at all.
 * A backend that is gone or points elsewhere loses its secrets.
 */
function keepsSecret(env: StoredEnvironment, slot: SecretSlot, input: ConnectionInput, split: ReturnType<typeof splitConnection>): boolean {
  for (const backend of BACKENDS) {
    if (partsOf(backend, [slot]).length === 0) continue;
    const after = split.connection[backend]?.url;
    const samePlace = after !== undefined && env.connection[backend]?.url === after;
    if (!samePlace || split.secrets[slot] !== undefined) return false;
    return split.kept.has(slot) || !(input[backend]?.url.includes(SECRET_MARK) ?? false);
  }
  return false;
}

/** `***` as it may arrive in a URL (as is or percent-encoded). */
const SECRET_MARK = '***';

function splitConnection(input: ConnectionInput): {
  connection: StoredEnvironment['connection'];
  secrets: Secrets;
  /** Slots the input left as `***`: keep what is saved. */
  kept: Set<SecretSlot>;
} {
  const connection: StoredEnvironment['connection'] = {};
  const secrets: Secrets = {};
  const kept = new Set<SecretSlot>();
  if (input.sqlite) connection.sqlite = { path: input.sqlite.path };
  const targets = [
    ['postgres', input.postgres?.url, POSTGRES_SCHEMES, POSTGRES_SECRETS],
    ['redis', input.redis?.url, REDIS_SCHEMES, REDIS_SECRETS],
  ] as const;
  for (const [backend, raw, schemes, rules] of targets) {
    if (raw === undefined) continue;
    const split = splitSecrets(`connection.${backend}.url`, raw, schemes, rules);
    connection[backend] = { url: split.url };
    for (const [part, value] of Object.entries(split.secrets) as Array<[SecretPart, string | undefined]>) {
      if (value !== undefined) secrets[slotOf(backend, part)] = value;
    }
    for (const part of split.kept) kept.add(slotOf(backend, part));
  }
  return { connection, secrets, kept };
}
