/**
 * Material for demo conversations: the kinds of chats a support bot, a coding assistant and an
 * internal agent hold. Each topic has an opening question, answers, follow-ups and optionally a
 * tool the assistant calls.
 */
export interface DemoTool {
  name: string;
  arguments: Record<string, string | number | boolean>;
  result: string;
}

export interface DemoTopic {
  title: string;
  system?: string;
  opener: string;
  answer: string;
  followUps: { user: string; assistant: string }[];
  tool?: DemoTool;
}

export const DEMO_USERS = ['u_ada', 'u_grace', 'u_linus', 'u_margaret', 'u_ken', 'u_barbara', 'u_dennis', 'u_frances'] as const;

export const DEMO_MODELS = ['gpt-4o-mini', 'gpt-4.1', 'claude-sonnet-4', 'llama-3.1-70b-instruct', 'mistral-large'] as const;

export const DEMO_TOPICS: DemoTopic[] = [
  {
    title: 'Refund for a double charge',
    system: 'You are the billing assistant of Acme Cloud. Be concise and never promise refunds you cannot issue.',
    opener: 'Hi, I was charged twice for my March invoice (INV-20931). Can you help?',
    answer: 'I can see two payments for INV-20931 on 3 March, €49.00 each. The second one is a duplicate; I have opened a refund request for €49.00. It usually reaches your card within 5–7 business days.',
    tool: { name: 'lookup_invoice', arguments: { invoiceId: 'INV-20931' }, result: '{"invoice":"INV-20931","payments":[{"amount":49,"at":"2025-03-03T09:12:00Z"},{"amount":49,"at":"2025-03-03T09:12:41Z"}]}' },
    followUps: [
      { user: 'Will I get an email when it is processed?', assistant: 'Yes — you will get an email from billing@acme.example as soon as the refund is issued, with the reference RF-55120.' },
      { user: 'Can you also switch me to yearly billing?', assistant: 'I can. Yearly billing is €490 (two months free). It starts at your next renewal on 3 April. Shall I switch it?' },
      { user: 'Yes please.', assistant: 'Done. Your plan renews yearly from 3 April. Anything else?' },
    ],
  },
  {
    title: 'Redis connection pool exhausted',
    system: 'You are a senior backend engineer helping a colleague debug production issues.',
    opener: 'Our Node service logs "ERR max number of clients reached" under load. We create a new ioredis client per request. Is that the problem?',
    answer: 'Almost certainly. Each `new Redis()` opens a TCP connection and Redis caps `maxclients` (10,000 by default, often less on managed plans). Create one client at startup and share it; ioredis pipelines commands over one connection, so a single client handles thousands of concurrent requests.',
    followUps: [
      { user: 'What about blocking commands like BLPOP?', assistant: 'Those hold the connection while they wait, so give them a dedicated client (or a small pool). Everything non-blocking can share the main one.' },
      { user: 'And for pub/sub?', assistant: 'A subscribed connection can only run (P)SUBSCRIBE commands, so pub/sub also needs its own client: `client.duplicate()` is the usual way.' },
      { user: 'How do I check how many clients we have right now?', assistant: '`INFO clients` shows `connected_clients`; `CLIENT LIST` shows each connection with its name and idle time. Set `connectionName` in ioredis so you can tell services apart.' },
      { user: 'Great, that explains the spike after each deploy.', assistant: 'Right — during a rolling deploy old and new pods overlap, so connection counts roughly double for a minute. Keep headroom for that.' },
    ],
  },
  {
    title: 'Weather in Lisbon this weekend',
    opener: 'What will the weather be like in Lisbon this weekend?',
    answer: 'Saturday looks sunny, 24 °C with a light north wind; Sunday turns cloudy with a 40% chance of showers in the afternoon, 21 °C. Good day for the beach: Saturday.',
    tool: { name: 'get_forecast', arguments: { city: 'Lisbon', days: 3 }, result: '{"sat":{"tempC":24,"sky":"sunny"},"sun":{"tempC":21,"sky":"cloudy","rain":0.4}}' },
    followUps: [
      { user: 'And Porto?', assistant: 'Porto is cooler: 19 °C on Saturday with some cloud, rain likely on Sunday.' },
    ],
  },
  {
    title: 'SQL query for monthly active users',
    system: 'You write PostgreSQL. Prefer clear SQL over clever SQL.',
    opener: 'I need monthly active users from an `events(user_id, created_at)` table, for the last 12 months.',
    answer:
      "```sql\nSELECT date_trunc('month', created_at) AS month,\n       count(DISTINCT user_id)         AS mau\nFROM events\nWHERE created_at >= date_trunc('month', now()) - interval '11 months'\nGROUP BY 1\nORDER BY 1;\n```\nAn index on `(created_at)` keeps the range scan cheap; with hundreds of millions of rows consider a daily rollup table.",
    followUps: [
      { user: 'It takes 40 seconds. Any quick win?', assistant: 'Check the plan with `EXPLAIN (ANALYZE, BUFFERS)`. If it does a sequential scan, add `CREATE INDEX CONCURRENTLY ON events (created_at, user_id);` — an index-only scan can then count distinct users without touching the heap.' },
      { user: 'The index helped: 3 seconds now.', assistant: 'Nice. For a dashboard that refreshes often, a materialised view refreshed hourly gets it to milliseconds.' },
    ],
  },
  {
    title: 'Summarise the incident report',
    opener: 'Can you summarise this incident report for the weekly update? "At 14:02 UTC the checkout service began returning 502s after a config push raised the DB pool size beyond the proxy limit. Rollback at 14:19 restored service. 3.1% of checkouts failed."',
    answer: 'Summary: on Tuesday a configuration change raised the checkout service’s database pool above the proxy’s connection limit, causing 502 errors from 14:02 to 14:19 UTC (17 minutes). About 3.1% of checkouts failed. A rollback fixed it; follow-ups: validate pool sizes against proxy limits in CI and alert on 5xx rate per service.',
    followUps: [],
  },
  {
    title: 'Translate onboarding email to German',
    opener: 'Translate to German: "Welcome aboard! Your workspace is ready. Invite your team to get started."',
    answer: '„Willkommen an Bord! Ihr Arbeitsbereich ist bereit. Laden Sie Ihr Team ein, um loszulegen.“',
    followUps: [
      { user: 'Make it informal (du).', assistant: '„Willkommen an Bord! Dein Arbeitsbereich ist bereit. Lade dein Team ein und leg los.“' },
    ],
  },
  {
    title: 'Order status #88412',
    system: 'You are the support assistant of a small online shop. Use tools to look up orders.',
    opener: 'Where is my order 88412? It was supposed to arrive yesterday.',
    answer: 'Order 88412 left our warehouse on Monday and is with DHL (tracking 00340434161234567890). It was delayed at the Leipzig hub and is now scheduled for delivery tomorrow before 18:00. Sorry for the wait!',
    tool: { name: 'get_order', arguments: { orderId: 88412 }, result: '{"status":"in_transit","carrier":"DHL","eta":"tomorrow 18:00","delay":"hub Leipzig"}' },
    followUps: [
      { user: 'Can I change the delivery address to my office?', assistant: 'Once a parcel is in transit only DHL can redirect it. You can do it at dhl.de with the tracking number — choose "Redirect to another address".' },
      { user: 'OK, done. Thanks!', assistant: 'You’re welcome. Enjoy your order!' },
    ],
  },
  {
    title: 'Explain event sourcing',
    opener: 'Explain event sourcing like I am a junior developer.',
    answer: 'Instead of storing only the current state ("balance = 70"), you store every change as an event ("deposited 100", "withdrew 30"). The current state is what you get by replaying the events in order. You never lose history, you can rebuild state at any point in time, and you can add new read models later by replaying old events.',
    followUps: [
      { user: 'Isn’t replaying everything slow?', assistant: 'It would be for long histories, so systems keep projections (precomputed state updated as events arrive) and sometimes snapshots. Reads go to the projection; replay is for rebuilding or debugging.' },
      { user: 'How do you handle two writers at once?', assistant: 'With optimistic concurrency: each append says which version it expects the stream to be at. If someone else appended first, the versions differ and the second writer gets a conflict, re-reads and retries.' },
      { user: 'And deleting personal data?', assistant: 'That is the hard part: events are immutable by design. Common answers are crypto-shredding (encrypt per user, throw the key away) or a redaction event that also rewrites the stored payload — which is what GDPR erasure usually needs.' },
    ],
  },
  {
    title: 'Kubernetes pod keeps restarting',
    opener: 'My pod is in CrashLoopBackOff. `kubectl logs` shows nothing. What now?',
    answer: 'Try `kubectl logs <pod> --previous` — the current container may not have logged yet, the previous one did. Then `kubectl describe pod <pod>` and look at "Last State": an exit code 137 means it was OOM-killed, 1 usually an application error at startup.',
    followUps: [
      { user: 'Exit code 137.', assistant: 'OOM-killed. Either raise `resources.limits.memory` or find the leak. For Node, also set `--max-old-space-size` below the container limit so V8 collects before the kernel kills it.' },
      { user: 'Limit is 256Mi and the app needs ~300Mi at startup.', assistant: 'Then 256Mi is simply too small. Set the request to ~350Mi and the limit to ~512Mi, and watch actual usage with `kubectl top pod` for a day before tightening.' },
    ],
  },
  {
    title: 'Meeting notes action items',
    opener: 'Extract action items from: "Sam will draft the Q3 roadmap by Friday. Priya to check the vendor contract. We agreed to move standup to 9:30."',
    answer: '- Sam: draft the Q3 roadmap — due Friday\n- Priya: review the vendor contract — no date given\n- Team: standup moves to 9:30 (decision, no owner)',
    followUps: [],
  },
  {
    title: 'Regex for ISO dates',
    opener: 'Regex that matches ISO 8601 dates like 2025-03-14?',
    answer: '`^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$` — it checks the shape and month/day ranges, but not month lengths (2025-02-31 passes). Parse with a date library if you need real validation.',
    followUps: [
      { user: 'With an optional time part?', assistant: '`^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2})?)?$`' },
    ],
  },
  {
    title: 'Flight search Berlin → Tokyo',
    opener: 'Find me a flight from Berlin to Tokyo around 12 May, economy, one stop max.',
    answer: 'Best options for 12 May: Lufthansa via Munich, departs 13:25, arrives 09:05 (+1), €812; Finnair via Helsinki, departs 17:50, arrives 15:45 (+1), €745. Both one stop. Want me to hold one?',
    tool: { name: 'search_flights', arguments: { from: 'BER', to: 'HND', date: '2025-05-12', maxStops: 1 }, result: '[{"carrier":"LH","via":"MUC","price":812},{"carrier":"AY","via":"HEL","price":745}]' },
    followUps: [
      { user: 'The Finnair one, please.', assistant: 'Held for 24 hours: booking reference QX7P2L. Complete payment in the app to confirm.' },
    ],
  },
  {
    title: 'TypeScript generic constraint error',
    opener: 'Why does `function first<T>(xs: T[]) { return xs[0].id }` fail with "Property id does not exist on type T"?',
    answer: 'Because `T` could be anything — a number has no `id`. Constrain it: `function first<T extends { id: string }>(xs: T[]) { return xs[0]?.id }`. With `noUncheckedIndexedAccess`, `xs[0]` is `T | undefined`, hence the `?.`.',
    followUps: [
      { user: 'Can T keep its full type in the return value?', assistant: 'Yes: `function first<T extends { id: string }>(xs: T[]): T | undefined { return xs[0] }` returns the caller’s exact type, not just `{ id: string }`.' },
    ],
  },
  {
    title: 'Password reset not arriving',
    system: 'You are the support assistant of Acme Cloud.',
    opener: 'I requested a password reset three times and never got the email.',
    answer: 'I can see three reset emails sent to your address in the last hour, all accepted by your mail server. Please check your spam folder for mail from no-reply@acme.example. If your company filters external mail, ask IT to allow that sender.',
    tool: { name: 'mail_log', arguments: { template: 'password-reset', hours: 1 }, result: '{"sent":3,"status":"accepted"}' },
    followUps: [
      { user: 'Found it in quarantine. Thanks.', assistant: 'Glad it turned up! The link is valid for 30 minutes.' },
    ],
  },
];

/** Longer, generic follow-ups that stretch some conversations into long ones. */
export const LONG_FOLLOW_UPS: { user: string; assistant: string }[] = [
  { user: 'Can you go into more detail?', assistant: 'Sure. The key point is to keep each step observable: measure before changing anything, change one thing at a time, and keep the previous configuration ready to roll back.' },
  { user: 'What are the trade-offs?', assistant: 'Simplicity versus flexibility, mostly. The simple option is easier to operate and reason about; the flexible one pays off only once you actually need the extra knobs.' },
  { user: 'Show me an example.', assistant: 'Here is a minimal one:\n\n```ts\nconst history = await store.tail(conversationId, 20);\nconst reply = await llm.chat([...history, userMessage]);\nawait store.append(conversationId, [userMessage, reply]);\n```' },
  { user: 'How would you test that?', assistant: 'An integration test against a real server, with the failure cases first: timeouts, a restart in the middle, and two writers racing each other.' },
  { user: 'Thanks, that is clear.', assistant: 'Happy to help — ping me if anything else comes up.' },
  { user: 'One more question about limits.', assistant: 'Go ahead. In general set explicit limits on sizes, counts and timeouts everywhere input crosses a boundary: defaults that are "unlimited" tend to fail at 3 a.m.' },
];
