/**
 * The npm package as a chat backend gets it: `npm pack` of this repository, installed with the
 * drivers into a fresh project outside it (no better-sqlite3: a PostgreSQL user never needs the
 * native build), a small backend type-checked by the user's strict tsc against the packed .d.ts,
 * run against throwaway PostgreSQL + Redis, then bundled by esbuild and run from the bundle alone.
 * Needs the npm registry (or npm's cache) for pg, ioredis, typescript, esbuild and @types/node.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../core/testing/servers/redis-server.js';
import { createTestDatabase, type TestDatabase } from '../core/testing/test-database.js';

const repoRoot = join(import.meta.dirname, '..');

const CHAT_BACKEND = `import { createServer } from 'node:http';
import { createHealthHandler, createMetricsHandler, isScrollbackError, openStore, type ConversationStore, type TailMessage } from '@scrollback/store';
import type { ContractTarget } from '@scrollback/store/testing';

const databaseUrl = process.env['DATABASE_URL'];
const redisUrl = process.env['REDIS_URL'];
if (databaseUrl === undefined) throw new Error('set DATABASE_URL (and REDIS_URL for the cache)');

const store: ConversationStore = await openStore({
  postgres: { url: databaseUrl },
  ...(redisUrl !== undefined ? { redis: { url: redisUrl } } : {}),
});
const conversationId = \`chat-\${process.pid}\`;

async function handleTurn(userId: string, text: string): Promise<TailMessage[]> {
  await store.append(conversationId, { id: crypto.randomUUID(), role: 'user', content: text }, { userId });
  const history = await store.tail(conversationId, 20);
  await store.append(conversationId, { role: 'assistant', content: \`echo: \${text}\`, metadata: { model: 'echo' } });
  return history;
}

await handleTurn('u1', 'hello');
const history = await handleTurn('u1', 'again');
const embedded = await openStore({ sqlite: { path: ':memory:' } }).then(
  () => 'opened',
  (error: unknown) => (isScrollbackError(error) ? \`\${error.code}: \${error.message}\` : 'not a ScrollbackError'),
);
const target: Pick<ContractTarget, 'name'> = { name: store.mode };
const health = createHealthHandler(store);
const metrics = createMetricsHandler(store);
const probe = createServer((req, res) => (req.url === '/metrics' ? metrics(req, res) : health(req, res)));
await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
const address = probe.address();
const base = \`http://127.0.0.1:\${typeof address === 'object' && address !== null ? address.port : 0}\`;
const status = ((await (await fetch(\`\${base}/health\`)).json()) as { status: string }).status;
const appendsLine = (await (await fetch(\`\${base}/metrics\`)).text()).split('\\n').find((line) => line.startsWith('scrollback_appends_total'));
await new Promise((resolve) => probe.close(resolve));
console.log(JSON.stringify({ mode: target.name, history: history.map((m) => \`\${m.role}:\${m.content}\`), embedded, health: status, appendsLine }));
await store.close();
`;

/** The adapters from their subpaths, with the frameworks the user installed beside the package. */
const ADAPTERS = `import { openStore } from '@scrollback/store';
import { createChat, loadChat, saveChat } from '@scrollback/store/ai-sdk';
import { ScrollbackChatMessageHistory } from '@scrollback/store/langchain';
import { AIMessage, HumanMessage } from '@langchain/core/messages';
import type { UIMessage } from 'ai';
import { isDeepStrictEqual } from 'node:util';

const databaseUrl = process.env['DATABASE_URL'];
if (databaseUrl === undefined) throw new Error('set DATABASE_URL');
const store = await openStore({ postgres: { url: databaseUrl } });

const history = new ScrollbackChatMessageHistory({ store, sessionId: \`lc-\${process.pid}\`, userId: 'u1', window: 10 });
await history.addMessages([new HumanMessage('hi'), new AIMessage({ content: '', tool_calls: [{ id: 'c1', name: 'add', args: { a: 1 } }] })]);
const langchain = (await history.getMessages()).map((m) => \`\${m.getType()}:\${m.text}\`);
await history.clear();

const chatId = await createChat(store, { userId: 'u1' });
const messages: UIMessage[] = [
  { id: 'u-1', role: 'user', parts: [{ type: 'text', text: 'hi' }] },
  { id: 'a-1', role: 'assistant', metadata: { model: 'm' }, parts: [{ type: 'step-start' }, { type: 'text', text: 'hello', state: 'done' }] },
];
await saveChat(store, { chatId, messages, userId: 'u1' });
const { version } = await store.read(chatId);
// PostgreSQL's jsonb keeps values, not key order.
const same = isDeepStrictEqual(await loadChat(store, chatId), messages);
console.log(JSON.stringify({ langchain, version, same }));
await store.close();
`;

/** Someone wrapping the store runs the contract suite from the package against their setup. */
const CONTRACT_TEST = `import { openStore } from '@scrollback/store';
import { describeStoreContract } from '@scrollback/store/testing';

const url = process.env['DATABASE_URL'] ?? '';
describeStoreContract({ name: 'packaged postgres', open: (overrides) => openStore({ postgres: { url, poolSize: 4 }, ...overrides }) });
`;

/** The settings a careful user compiles with; skipLibCheck off so the packed .d.ts are checked. */
const USER_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'nodenext',
    moduleResolution: 'nodenext',
    strict: true,
    exactOptionalPropertyTypes: true,
    noPropertyAccessFromIndexSignature: true,
    noUncheckedIndexedAccess: true,
    skipLibCheck: false,
    types: ['node'],
    outDir: 'out',
  },
  files: ['chat.ts'],
};

/**
 * The adapters' file, compiled with the same strict settings but skipLibCheck on: the declarations
 * of `ai` 6 (which need @types/json-schema) and of langsmith (a dependency of @langchain/core) do
 * not compile under exactOptionalPropertyTypes. The user's code is still checked against the
 * adapters' types.
 */
const ADAPTERS_TSCONFIG = {
  compilerOptions: { ...USER_TSCONFIG.compilerOptions, skipLibCheck: true },
  files: ['adapters.ts'],
};

const EXPECTED_OUTPUT = {
  mode: 'hybrid',
  history: ['user:hello', 'assistant:echo: hello', 'user:again'],
  embedded: 'MISSING_DEPENDENCY: install better-sqlite3 to use SQLite (npm install better-sqlite3)',
  health: 'up',
  appendsLine: 'scrollback_appends_total 4',
};

/** npm's own variables from an outer `npm test` would reconfigure the inner npm. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('npm_') && key !== 'npm_config_cache' && key !== 'npm_config_registry') continue;
    if (key.startsWith('VITEST') || key === 'TEST' || key === 'NODE_ENV') continue;
    if (key.startsWith('SCROLLBACK_') || key === 'DATABASE_URL' || key === 'REDIS_URL' || key === 'NODE_OPTIONS') continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

function run(command: string, args: string[], cwd: string, env = childEnv(), timeoutMs = 120_000): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
  if (result.error !== undefined) throw result.error;
  return result;
}

function succeed(command: string, args: string[], cwd: string, env = childEnv(), timeoutMs = 120_000): string {
  const result = run(command, args, cwd, env, timeoutMs);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${String(result.status)}\n${result.stdout.slice(-4000)}\n${result.stderr.slice(-4000)}`);
  }
  return result.stdout;
}

describe('the npm package in a fresh project', () => {
  let dir: string;
  let project: string;
  let database: TestDatabase;
  let redis: RedisServer;
  let runEnv: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'scrollback-package-'));
    project = join(dir, 'chat-backend');
    [database, redis] = await Promise.all([createTestDatabase(inject('databaseUrl')), startRedisServer()]);
    runEnv = childEnv({ DATABASE_URL: database.url, REDIS_URL: redis.url });

    // The real pack: prepack builds the library and the console UI first.
    succeed('npm', ['pack', '--pack-destination', dir], repoRoot, childEnv(), 180_000);
    const tarball = readdirSync(dir).find((name) => name.endsWith('.tgz'));
    if (tarball === undefined) throw new Error(`npm pack wrote no tarball into ${dir}`);

    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'chat-backend', private: true, type: 'module' }, null, 2));
    succeed(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline', join(dir, tarball), 'pg', 'ioredis', 'typescript', 'typescript-5@npm:typescript@~5.9', 'esbuild', '@types/node@20', 'vitest@4', '@langchain/core@1', 'ai@6'],
      project,
      childEnv(),
      180_000,
    );
    writeFileSync(join(project, 'chat.ts'), CHAT_BACKEND);
    writeFileSync(join(project, 'adapters.ts'), ADAPTERS);
    writeFileSync(join(project, 'contract.test.ts'), CONTRACT_TEST);
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(USER_TSCONFIG, null, 2));
    writeFileSync(join(project, 'tsconfig.adapters.json'), JSON.stringify(ADAPTERS_TSCONFIG, null, 2));
  }, 400_000);

  afterAll(async () => {
    await Promise.all([database?.drop(), redis?.stop()]);
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('holds built JavaScript and declarations, no TypeScript sources or tests, and installs no SQLite build', () => {
    const installed = join(project, 'node_modules', '@scrollback', 'store');
    const files = readdirSync(installed, { recursive: true, encoding: 'utf8' });
    expect(files).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.d.ts', 'dist/cli.js', 'dist/testing/index.js', 'dist/adapters/langchain.js', 'dist/adapters/langchain.d.ts', 'dist/adapters/ai-sdk.js', 'dist/adapters/ai-sdk.d.ts', 'dist/renderer/index.html', 'LICENSE']));
    expect(files.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter((file) => /\.test\.|bench/.test(file))).toEqual([]);
    expect(readdirSync(join(project, 'node_modules'))).not.toContain('better-sqlite3');
  });

  it("type-checks a chat backend with the user's strict settings against the packed .d.ts (TypeScript 5 and latest)", () => {
    for (const typescript of ['typescript-5', 'typescript']) {
      succeed(process.execPath, [join(project, 'node_modules', typescript, 'bin', 'tsc'), '-p', 'tsconfig.json'], project, runEnv);
    }
  }, 120_000);

  it('runs it against PostgreSQL + Redis; asking for SQLite without its driver says what to install', () => {
    const output = succeed(process.execPath, [join('out', 'chat.js')], project, runEnv, 60_000);
    expect(JSON.parse(output.trim().split('\n').at(-1) ?? '')).toEqual(EXPECTED_OUTPUT);
  }, 90_000);

  it('type-checks and runs the LangChain and AI SDK adapters from their subpaths', () => {
    succeed(process.execPath, [join(project, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.adapters.json'], project, runEnv);
    const output = succeed(process.execPath, [join('out', 'adapters.js')], project, runEnv, 60_000);
    expect(JSON.parse(output.trim().split('\n').at(-1) ?? '')).toEqual({
      langchain: ['human:hi', 'ai:'],
      version: 3,
      same: true,
    });
  }, 120_000);

  it('installs the scrollback command: migrate applies the migrations, bad usage exits 2', () => {
    const bin = join(project, 'node_modules', '.bin', 'scrollback');
    expect(succeed(bin, ['migrate'], project, runEnv)).toMatch(/^PostgreSQL: (applied 0001_init\.sql|up to date)/);
    const unknown = run(bin, ['frobnicate'], project, runEnv);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/^scrollback: (command: )?unknown command "frobnicate"\n/);
    // The console opens any kind of environment, so it needs every driver: it says which is missing.
    const console = run(bin, ['console'], project, { ...runEnv, SCROLLBACK_CONSOLE_DIR: join(dir, 'console') });
    expect(console.status).toBe(1);
    expect(console.stderr).toContain('npm install better-sqlite3');
  }, 60_000);

  it('ships the contract suite: ./testing runs against the packaged store under Vitest', () => {
    const vitest = join(project, 'node_modules', 'vitest', 'vitest.mjs');
    const results = join(dir, 'contract-results.json');
    succeed(process.execPath, [vitest, 'run', 'contract.test.ts', '--reporter=json', `--outputFile=${results}`], project, runEnv, 120_000);
    const report = JSON.parse(readFileSync(results, 'utf8')) as { numTotalTests: number; numPassedTests: number };
    expect(report.numTotalTests).toBeGreaterThan(50);
    expect(report.numPassedTests).toBe(report.numTotalTests);
  }, 150_000);

  it('compiles and runs a PostgreSQL-only backend without ioredis installed', () => {
    const modules = join(project, 'node_modules');
    renameSync(join(modules, 'ioredis'), join(modules, '.ioredis-aside'));
    try {
      // No ioredis types either: the declarations name driver objects by shape.
      succeed(process.execPath, [join(modules, 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], project, runEnv);
      const { REDIS_URL: _unused, ...withoutRedis } = runEnv;
      const output = succeed(process.execPath, [join('out', 'chat.js')], project, withoutRedis, 60_000);
      expect(JSON.parse(output.trim().split('\n').at(-1) ?? '')).toEqual({ ...EXPECTED_OUTPUT, mode: 'postgres' });
    } finally {
      renameSync(join(modules, '.ioredis-aside'), join(modules, 'ioredis'));
    }
  }, 120_000);

  it('bundles with esbuild (drivers external) into one file that runs without the package beside it', () => {
    const esbuild = join(project, 'node_modules', '.bin', 'esbuild');
    const args = ['chat.ts', '--bundle', '--platform=node', '--format=esm', '--external:pg', '--external:ioredis', '--external:better-sqlite3', '--outfile=bundle/chat.mjs'];
    succeed(esbuild, args, project, runEnv);
    // The bundle must carry the migrations and Lua scripts itself.
    rmSync(join(project, 'node_modules', '@scrollback'), { recursive: true, force: true });
    const output = succeed(process.execPath, [join('bundle', 'chat.mjs')], project, runEnv, 60_000);
    expect(JSON.parse(output.trim().split('\n').at(-1) ?? '')).toEqual(EXPECTED_OUTPUT);

    // PostgreSQL mode from the same bundle: a driver the mode doesn't use is never loaded.
    rmSync(join(project, 'node_modules', 'ioredis'), { recursive: true, force: true });
    const { REDIS_URL: _unused, ...withoutRedis } = runEnv;
    const postgresOnly = succeed(process.execPath, [join('bundle', 'chat.mjs')], project, withoutRedis, 60_000);
    expect(JSON.parse(postgresOnly.trim().split('\n').at(-1) ?? '')).toEqual({ ...EXPECTED_OUTPUT, mode: 'postgres' });
  }, 120_000);
});
