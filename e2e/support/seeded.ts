/** Names of what the e2e harness seeds, shared by the harness and the specs (no side effects here). */

/** A 1,200-message conversation in the hybrid store. */
export const LONG_CONVERSATION = 'e2e-long-conversation';

/** A two-message conversation whose messages carry parts (text, file, reasoning, a tool call). */
export const PARTS_CONVERSATION = 'e2e-parts-conversation';
