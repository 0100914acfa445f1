/**
 * "Simulate traffic": a bounded chat load against one environment so the live charts move. Each
 * turn reads a conversation's tail (as a chat backend does before replying) and appends a message.
 * Bounded in rate, duration and concurrency; one run per environment; stoppable at any time.
 */
import type { JsonObject } from '../events/types.js';
import type { ConversationStore } from '../store/types.js';
import { MAX_TRAFFIC_RATE, MAX_TRAFFIC_SECONDS, type TrafficStatus } from './api.js';

const TICK_MS = 100;
const MAX_IN_FLIGHT = 32;
const CONVERSATIONS = 24;

interface Run {
  ratePerSecond: number;
  startedAt: number;
  endsAt: number;
  timer: NodeJS.Timeout | null;
  issued: number;
  turns: number;
  errors: number;
  inFlight: Set<Promise<void>>;
}

const LINES = [
  'Can you summarise the last answer in one sentence?',
  'What would change if the cache were cold?',
  'Give me a shorter version, please.',
  'Which model did you use for that?',
  'Try again with more detail about the error handling.',
  'Thanks, that works.',
];

export class TrafficSimulator {
  private readonly runs = new Map<string, Run>();
  private readonly last = new Map<string, TrafficStatus>();

  constructor(private readonly storeFor: (environmentId: string) => Promise<ConversationStore>) {}

  status(environmentId: string): TrafficStatus {
    const run = this.runs.get(environmentId);
    if (run) return snapshot(run, true);
    return this.last.get(environmentId) ?? { running: false, ratePerSecond: 0, endsAt: null, turns: 0, errors: 0 };
  }

  async start(environmentId: string, ratePerSecond: number, seconds: number): Promise<TrafficStatus> {
    // Schemas bound these already; the simulator keeps its own bounds so no caller can exceed them.
    const rate = Math.min(Math.max(1, Math.floor(ratePerSecond)), MAX_TRAFFIC_RATE);
    const duration = Math.min(Math.max(1, Math.floor(seconds)), MAX_TRAFFIC_SECONDS);
    await this.stop(environmentId);
    const store = await this.storeFor(environmentId);
    const now = Date.now();
    const run: Run = { ratePerSecond: rate, startedAt: now, endsAt: now + duration * 1000, timer: null, issued: 0, turns: 0, errors: 0, inFlight: new Set() };
    const prefix = `traffic-${now.toString(36)}`;
    run.timer = setInterval(() => {
      const at = Date.now();
      if (at >= run.endsAt) {
        void this.stop(environmentId);
        return;
      }
      const due = Math.floor(((at - run.startedAt) / 1000) * run.ratePerSecond) - run.issued;
      for (let i = 0; i < due && run.inFlight.size < MAX_IN_FLIGHT; i++) {
        const n = run.issued++;
        const turn = this.turn(store, `${prefix}-${n % CONVERSATIONS}`, n)
          .then(() => {
            run.turns++;
          })
          .catch(() => {
            run.errors++;
          })
          .finally(() => run.inFlight.delete(turn));
        run.inFlight.add(turn);
      }
      // Turns the concurrency cap held back are skipped, not queued: the load stays bounded.
      run.issued = Math.max(run.issued, Math.floor(((at - run.startedAt) / 1000) * run.ratePerSecond));
    }, TICK_MS);
    this.runs.set(environmentId, run);
    return snapshot(run, true);
  }

  async stop(environmentId: string): Promise<TrafficStatus> {
    const run = this.runs.get(environmentId);
    if (!run) return this.status(environmentId);
    this.runs.delete(environmentId);
    if (run.timer) clearInterval(run.timer);
    await Promise.allSettled([...run.inFlight]);
    const final = snapshot(run, false);
    final.endsAt = new Date(Math.min(Date.now(), run.endsAt)).toISOString();
    this.last.set(environmentId, final);
    return final;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.runs.keys()].map((id) => this.stop(id)));
  }

  private async turn(store: ConversationStore, conversationId: string, n: number): Promise<void> {
    const history = await store.tail(conversationId, 20);
    const role = history.at(-1)?.role === 'user' ? 'assistant' : 'user';
    const content = role === 'user' ? (LINES[n % LINES.length] ?? 'Hello') : `Simulated reply #${n} after ${history.length} messages of history.`;
    const metadata: JsonObject = role === 'assistant' ? { model: 'traffic-sim', tokens: { prompt: history.length * 40, completion: 24 }, latencyMs: 5 + (n % 40) } : {};
    await store.append(conversationId, { role, content, metadata }, { userId: 'traffic-simulator' });
  }
}

function snapshot(run: Run, running: boolean): TrafficStatus {
  return {
    running,
    ratePerSecond: run.ratePerSecond,
    endsAt: new Date(run.endsAt).toISOString(),
    turns: run.turns,
    errors: run.errors,
  };
}
