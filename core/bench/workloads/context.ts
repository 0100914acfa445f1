import type { BenchProfile } from '../profile.js';
import type { Results } from '../results.js';
import type { OpenStore } from '../open-store.js';

export interface WorkloadContext {
  profile: BenchProfile;
  results: Results;
  /** null: baselines only (a development aid; every store target then fails as not measured). */
  openStore: OpenStore | null;
  log: (line: string) => void;
}
