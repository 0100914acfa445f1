import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createApiClient } from './api/client.js';
import { LiveSocket } from './api/live-socket.js';
import { createAppStore } from './state/store.js';
import { AppProvider } from './state/store-context.js';
import { App } from './app/App.js';
import './styles/base.css';
import './styles/layout.css';
import './styles/screens.css';

const store = createAppStore({ api: createApiClient(), storage: window.localStorage });
const socket = new LiveSocket();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AppProvider store={store} socket={socket}>
      <App />
    </AppProvider>
  </StrictMode>,
);
