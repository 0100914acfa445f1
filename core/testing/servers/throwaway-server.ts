/**
 * What a test can do to a server it started: the crash, hang and restart controls that the
 * degradation tests rely on, the same for PostgreSQL and Redis.
 */
export interface ThrowawayServer {
  url: string;
  port: number;
  /** Graceful stop, then removes the temp dir. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILL: a crash. PostgreSQL keeps its data dir for `start()`; Redis keeps nothing. */
  kill(): Promise<void>;
  /** Starts again on the same port (after `kill`), or resumes after `pause`. */
  start(): Promise<void>;
  /** SIGSTOP: connections stay open, commands hang until `resume`. */
  pause(): void;
  /** SIGCONT. */
  resume(): void;
}
