/**
 * The store under test, loaded the way an application loads it: `openStore` from core's index.
 * Loaded lazily so `--baselines-only` runs even while the store doesn't build.
 */
import type { openStore } from '../index.js';

export type OpenStore = typeof openStore;

export async function loadOpenStore(): Promise<OpenStore> {
  return (await import('../index.js')).openStore;
}
