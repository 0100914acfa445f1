import { useEffect } from 'react';
import { useApp, useAppStore, useLiveSocket } from '../state/store-context.js';
import { parseHash } from '../features/ui/routes.js';
import { selectCurrentEnvironment } from '../features/environments/environments-selectors.js';
import { EnvironmentBand } from './EnvironmentBand.js';
import { Nav } from './Nav.js';
import { ServerBanner } from './ServerBanner.js';
import { OfflineBanner } from './OfflineBanner.js';
import { Toasts } from '../components/Toasts.js';
import { ErrorState, Loading } from '../components/StateView.js';
import { EnvironmentsScreen } from '../screens/EnvironmentsScreen.js';
import { ConversationsScreen } from '../screens/ConversationsScreen.js';
import { ConversationScreen } from '../screens/ConversationScreen.js';
import { ReplayScreen } from '../screens/ReplayScreen.js';
import { LiveScreen } from '../screens/LiveScreen.js';
import { PlaygroundScreen } from '../screens/PlaygroundScreen.js';

function Screen() {
  const route = useApp((s) => s.route);
  const status = useApp((s) => s.environments.status);
  const error = useApp((s) => s.environments.error);
  const environmentId = useApp((s) => s.environmentId);
  const load = useApp((s) => s.loadEnvironments);
  if (status === 'error' && route.name !== 'environments') {
    return <ErrorState title="Cannot reach the console server" message={error ?? ''} onRetry={() => void load()} />;
  }
  if ((status === 'idle' || status === 'loading') && environmentId === null) return <Loading label="Loading environments…" />;
  switch (route.name) {
    case 'environments':
      return <EnvironmentsScreen />;
    case 'conversations':
      return <ConversationsScreen />;
    case 'conversation':
      return <ConversationScreen conversationId={route.conversationId} tab={route.tab} />;
    case 'replay':
      return <ReplayScreen conversationId={route.conversationId} version={route.version} />;
    case 'live':
      return <LiveScreen />;
    case 'playground':
      return <PlaygroundScreen conversationId={route.conversationId} />;
  }
}

export function App() {
  const store = useAppStore();
  const socket = useLiveSocket();
  const env = useApp(selectCurrentEnvironment);

  useEffect(() => {
    const onHash = () => store.getState().navigate(parseHash(location.hash));
    window.addEventListener('hashchange', onHash);
    void store.getState().loadEnvironments();
    const offState = socket.onState((state) => store.getState().setLiveConnection(state));
    const offMessage = socket.onMessage((message) => store.getState().handleLiveMessage(message));
    socket.start();
    return () => {
      window.removeEventListener('hashchange', onHash);
      offState();
      offMessage();
      socket.stop();
    };
  }, [store, socket]);

  return (
    <div className="app" style={{ ['--env-color' as string]: env?.color ?? '#5f6679' }} data-env-kind={env?.kind ?? 'none'}>
      <a
        className="skip-link"
        href="#main"
        onClick={(e) => {
          // Routing lives in the hash: move focus without touching it.
          e.preventDefault();
          const main = document.getElementById('main');
          const target = main?.querySelector<HTMLElement>('[data-skip-target]') ?? main;
          target?.focus();
        }}
      >
        Skip to main content
      </a>
      <EnvironmentBand />
      <Nav />
      <main id="main" tabIndex={-1} className="main" aria-label={env ? `${env.name} (${env.kind})` : 'Console'}>
        <ServerBanner />
        <OfflineBanner />
        <Screen />
      </main>
      <Toasts />
    </div>
  );
}
