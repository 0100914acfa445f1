/**
 * The configuration every command shares: the environment `openStore()` reads, validated once,
 * so a command that talks to a backend directly (migrate, tail) sees the same log as the store.
 */
import type { EventLog } from '../backends/log.js';
import { stderrLogger } from '../logging/logger.js';
import { createLog } from '../store/backend-loader.js';
import { configFromEnvironment, resolveConfig, type ResolvedConfig } from '../store/config.js';

export function resolvedEnvironment(): ResolvedConfig {
  return resolveConfig(configFromEnvironment());
}

/**
 * The log alone (no cache), as the store would open it; its driver loads only now, so a missing
 * one is a one-line error naming the package.
 */
export function openLog(config: ResolvedConfig = resolvedEnvironment()): Promise<EventLog> {
  return createLog(config.postgres === undefined ? config : { ...config, postgres: { ...config.postgres, poolSize: 2 } }, stderrLogger);
}
