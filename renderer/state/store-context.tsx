import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { LiveSocket } from '../api/live-socket.js';
import type { AppStore } from './store.js';
import type { AppState } from './types.js';

interface AppContextValue {
  store: AppStore;
  socket: LiveSocket;
}

const AppContext = createContext<AppContextValue | null>(null);

export function AppProvider({ store, socket, children }: AppContextValue & { children: ReactNode }) {
  return <AppContext.Provider value={{ store, socket }}>{children}</AppContext.Provider>;
}

function useAppContext(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error('AppProvider is missing');
  return value;
}

/** Select from the app store; pass a stable selector (or one returning a primitive/stored object). */
export function useApp<T>(selector: (state: AppState) => T): T {
  return useStore(useAppContext().store, selector);
}

export function useAppStore(): AppStore {
  return useAppContext().store;
}

export function useLiveSocket(): LiveSocket {
  return useAppContext().socket;
}
