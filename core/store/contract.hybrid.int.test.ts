import { afterAll, beforeAll, inject } from 'vitest';
import { describeStoreContract } from '../testing/contract/index.js';
import { createTestDatabase } from '../testing/test-database.js';
import { openStore } from './open-store.js';

let database: { url: string; drop(): Promise<void> };
beforeAll(async () => {
  database = await createTestDatabase(inject('databaseUrl'));
});
afterAll(() => database.drop());

describeStoreContract({
  name: 'hybrid',
  open: (overrides) => openStore({ postgres: { url: database.url, poolSize: 4 }, redis: { url: inject('redisUrl') }, ...overrides }),
});
