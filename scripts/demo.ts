/**
 * `npm run demo [path]`: creates (or tops up) an embedded demo database with realistic
 * conversations. Path: argv, else SCROLLBACK_SQLITE_PATH, else .scrollback/demo.sqlite.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { seedDemoConversations } from '../core/demo/seed.js';
import { openStore } from '../core/index.js';

const path = resolve(process.argv[2] ?? process.env.SCROLLBACK_SQLITE_PATH ?? '.scrollback/demo.sqlite');
const count = Number(process.env.SCROLLBACK_DEMO_CONVERSATIONS ?? 300);
mkdirSync(dirname(path), { recursive: true });
const store = await openStore({ sqlite: { path } });
try {
  const summary = await seedDemoConversations(store, { conversations: count });
  process.stdout.write(
    `Demo data in ${path}: ${summary.conversations} conversations written (${summary.messages} messages, ${summary.renamed} renamed, ` +
      `${summary.redacted} redacted, ${summary.deleted} deleted), ${summary.skipped} already there.\n`,
  );
} finally {
  await store.close();
}
