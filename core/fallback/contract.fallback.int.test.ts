/** 'hybrid+fallback' mode with PostgreSQL up behaves exactly like hybrid mode: the whole contract. */
import { join } from 'node:path';
import { afterAll, beforeAll, inject } from 'vitest';
import { tempDir } from '../backends/sqlite/test-support.js';
import { openStore } from '../store/open-store.js';
import { describeStoreContract } from '../testing/contract/index.js';
import { createTestDatabase } from '../testing/test-database.js';

let database: { url: string; drop(): Promise<void> };
let dir: ReturnType<typeof tempDir>;
beforeAll(async () => {
  database = await createTestDatabase(inject('databaseUrl'));
  dir = tempDir();
});
afterAll(async () => {
  await database.drop();
  dir.remove();
});

describeStoreContract({
  name: 'hybrid+fallback',
  open: (overrides) =>
    openStore({
      postgres: { url: database.url, poolSize: 4 },
      redis: { url: inject('redisUrl') },
      sqlite: { path: join(dir.path, 'outbox.sqlite') },
      ...overrides,
    }),
});
