import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { describeStoreContract } from '../testing/contract/index.js';
import { openStore } from './open-store.js';

const dir = mkdtempSync(join(tmpdir(), 'scrollback-contract-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeStoreContract({
  name: 'sqlite',
  open: (overrides) => openStore({ sqlite: { path: join(dir, 'store.sqlite') }, ...overrides }),
});
