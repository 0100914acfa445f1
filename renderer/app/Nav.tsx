import { formatHash, type Route } from '../features/ui/routes.js';
import { useApp } from '../state/store-context.js';

function NavLink({ route, active, icon, children, sub = false }: { route: Route; active: boolean; icon: string; children: React.ReactNode; sub?: boolean }) {
  return (
    <a href={formatHash(route)} aria-current={active ? 'page' : undefined} className={sub ? 'nav-sub' : undefined} title={typeof children === 'string' ? children : undefined}>
      <span className="nav-icon" aria-hidden="true">
        {icon}
      </span>
      <span className="nav-text">{children}</span>
    </a>
  );
}

export function Nav() {
  const route = useApp((s) => s.route);
  const openId = useApp((s) => s.conversation.conversationId ?? s.replay.conversationId);
  const currentId = route.name === 'conversation' || route.name === 'replay' ? route.conversationId : openId;
  const environments = useApp((s) => s.environments.items);
  return (
    <nav className="nav" aria-label="Main">
      <NavLink route={{ name: 'environments' }} active={route.name === 'environments'} icon="⚙">
        Environments
      </NavLink>
      <NavLink route={{ name: 'conversations' }} active={route.name === 'conversations'} icon="≡">
        Conversations
      </NavLink>
      {currentId ? (
        <>
          <NavLink route={{ name: 'conversation', conversationId: currentId, tab: 'transcript' }} active={route.name === 'conversation'} icon="›" sub>
            Conversation
          </NavLink>
          <NavLink route={{ name: 'replay', conversationId: currentId, version: null }} active={route.name === 'replay'} icon="▷" sub>
            Replay
          </NavLink>
        </>
      ) : null}
      <NavLink route={{ name: 'live' }} active={route.name === 'live'} icon="∿">
        Live
      </NavLink>
      <NavLink route={{ name: 'playground', conversationId: null }} active={route.name === 'playground'} icon="✎">
        Playground
      </NavLink>
      <div className="nav-footer">
        {environments.length} environment{environments.length === 1 ? '' : 's'} · loopback only
      </div>
    </nav>
  );
}
