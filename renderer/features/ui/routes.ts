/**
 * Hash routes, so a URL names the screen, the conversation and the replay version (shareable, and
 * "back" keeps the place). Ids are URI-encoded: they are user data.
 */
export type ConversationTab = 'transcript' | 'events' | 'cache';

export type Route =
  | { name: 'environments' }
  | { name: 'conversations' }
  | { name: 'conversation'; conversationId: string; tab: ConversationTab }
  | { name: 'replay'; conversationId: string; version: number | null }
  | { name: 'live' }
  | { name: 'playground'; conversationId: string | null };

export type RouteName = Route['name'];

const TABS: readonly ConversationTab[] = ['transcript', 'events', 'cache'];

function decode(part: string | undefined): string | null {
  if (part === undefined || part === '') return null;
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}

export function parseHash(hash: string): Route {
  const path = hash.replace(/^#\/?/, '');
  const [name, ...rest] = path.split('/');
  switch (name) {
    case 'environments':
      return { name: 'environments' };
    case 'live':
      return { name: 'live' };
    case 'playground':
      return { name: 'playground', conversationId: decode(rest[0]) };
    case 'conversation': {
      const conversationId = decode(rest[0]);
      if (conversationId === null) return { name: 'conversations' };
      const tab = TABS.find((t) => t === rest[1]) ?? 'transcript';
      return { name: 'conversation', conversationId, tab };
    }
    case 'replay': {
      const conversationId = decode(rest[0]);
      if (conversationId === null) return { name: 'conversations' };
      const version = Number(rest[1]);
      return { name: 'replay', conversationId, version: Number.isInteger(version) && version > 0 ? version : null };
    }
    default:
      return { name: 'conversations' };
  }
}

export function formatHash(route: Route): string {
  switch (route.name) {
    case 'environments':
    case 'conversations':
    case 'live':
      return `#/${route.name}`;
    case 'playground':
      return route.conversationId ? `#/playground/${encodeURIComponent(route.conversationId)}` : '#/playground';
    case 'conversation':
      return `#/conversation/${encodeURIComponent(route.conversationId)}/${route.tab}`;
    case 'replay':
      return `#/replay/${encodeURIComponent(route.conversationId)}${route.version === null ? '' : `/${route.version}`}`;
  }
}
