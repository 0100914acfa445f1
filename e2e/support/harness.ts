/**
 * The e2e world, run as its own process (`node --import tsx e2e/support/harness.ts`) so the
 * console runs exactly as `npm start` runs it: a console server over a temp data dir with the
 * "Local demo" environment, plus a throwaway PostgreSQL cluster and Redis server for the hybrid
 * environments ("Hybrid staging", writable; "Production replica", read-only and masked).
 * Prints one JSON line with the URLs, then runs until stdin closes or SIGTERM.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../../core/index.js';
import { seedDemoConversations } from '../../core/demo/seed.js';
import { startConsoleServer } from '../../core/console/server.js';
import { startPostgresCluster } from '../../core/testing/servers/postgres-cluster.js';
import { startRedisServer } from '../../core/testing/servers/redis-server.js';
import { LONG_CONVERSATION, PARTS_CONVERSATION } from './seeded.js';

export interface HarnessInfo {
  baseUrl: string;
  token: string;
  /** The loopback address the console listens on (a random 127.x.y.z per launch). */
  host: string;
  port: number;
  databaseUrl: string;
  redisUrl: string;
  environments: { demo: string; hybrid: string; production: string };
}

const root = fileURLToPath(new URL('../..', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'scrollback-e2e-'));
const log = (line: string) => process.stderr.write(`[harness] ${line}\n`);

const [cluster, redis] = await Promise.all([startPostgresCluster(), startRedisServer()]);
log('postgres and redis are up');

// Seed the hybrid store directly, as a chat backend would have filled it.
const seeded = await openStore({ postgres: { url: cluster.url }, redis: { url: redis.url }, metrics: { publishIntervalMs: 1000 } });
// One long conversation (1,200 messages) for the transcript's find, go-to-version and jump specs.
for (let start = 0; start < 1200; start += 100) {
  await seeded.append(
    LONG_CONVERSATION,
    Array.from({ length: 100 }, (_, i) => {
      const n = start + i + 1;
      return n % 2 === 1
        ? { role: 'user' as const, content: `Question ${n}: how do I read **entry ${n}**?` }
        : { role: 'assistant' as const, content: `Answer ${n}, with code:\n\n\`\`\`ts\nconst entry = await store.tail('c${n}');\n\`\`\`\n\n- first point\n- second point` };
    }),
  );
}
// A conversation whose messages carry parts, as the AI SDK saves them.
await seeded.append(PARTS_CONVERSATION, [
  { role: 'user', parts: [{ type: 'text', text: 'What is the weather in Lisbon?' }, { type: 'file', mediaType: 'image/png', filename: 'map.png', url: 'https://example.com/map.png' }] },
  {
    role: 'assistant',
    parts: [
      { type: 'step-start' },
      { type: 'reasoning', text: 'The user wants current weather; call the tool.' },
      { type: 'tool-weather', toolCallId: 'call_1', state: 'output-available', input: { city: 'Lisbon' }, output: { celsius: 21 } },
      { type: 'text', text: 'It is **21 °C** in Lisbon.' },
    ],
  },
]);
await seedDemoConversations(seeded, { conversations: 40, seed: 7 });
await seeded.close();
log('hybrid store seeded');

const server = await startConsoleServer({
  dataDir,
  staticDir: join(root, 'dist', 'renderer'),
  demo: { conversations: 150 },
  log,
  // SCROLLBACK_E2E_HOST=127.0.0.1 runs the console where the random-address defence is off.
  ...(process.env.SCROLLBACK_E2E_HOST ? { host: process.env.SCROLLBACK_E2E_HOST } : {}),
});

async function call<T>(method: string, body: unknown): Promise<T> {
  const response = await fetch(`${server.origin}/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${server.token}` },
    body: JSON.stringify(body),
  });
  const envelope = (await response.json()) as { ok: boolean; data?: T; error?: { message: string } };
  if (!envelope.ok) throw new Error(`${method}: ${envelope.error?.message ?? response.status}`);
  return envelope.data as T;
}

const list = await call<Array<{ id: string; name: string }>>('environments.list', {});
const demo = list.find((e) => e.name === 'Local demo');
if (!demo) throw new Error('the console did not create the Local demo environment');
const hybrid = await call<{ id: string }>('environments.create', {
  name: 'Hybrid staging',
  kind: 'staging',
  readOnly: false,
  connection: { postgres: { url: cluster.url }, redis: { url: redis.url } },
});
const production = await call<{ id: string }>('environments.create', {
  name: 'Production replica',
  kind: 'production',
  connection: { postgres: { url: cluster.url }, redis: { url: redis.url } },
});

const info: HarnessInfo = {
  baseUrl: server.origin,
  token: server.token,
  host: server.host,
  port: server.port,
  databaseUrl: cluster.url,
  redisUrl: redis.url,
  environments: { demo: demo.id, hybrid: hybrid.id, production: production.id },
};
process.stdout.write(`${JSON.stringify(info)}\n`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  try {
    await server.close();
  } finally {
    await Promise.allSettled([cluster.stop(), redis.stop()]);
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  }
}
process.stdin.on('end', () => void stop());
process.stdin.on('close', () => void stop());
process.stdin.resume();
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
