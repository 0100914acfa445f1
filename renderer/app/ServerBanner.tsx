import { useEffect, useRef } from 'react';
import { useApp } from '../state/store-context.js';

const PROBE_MS = 3000;

/**
 * Says plainly when the console server has gone away, and, once it is back with a new token (each
 * launch has its own), how to get a working page again. Probes only while the live connection is
 * down, so a healthy page makes no extra calls.
 */
export function ServerBanner() {
  const connection = useApp((s) => s.live.connection);
  const server = useApp((s) => s.server);
  const probe = useApp((s) => s.probeServer);
  const wasOpen = useRef(false);
  if (connection === 'open') wasOpen.current = true;
  const lost = wasOpen.current && connection !== 'open';

  useEffect(() => {
    if (!lost && server === 'ok') return;
    void probe();
    const timer = setInterval(() => void probe(), PROBE_MS);
    return () => clearInterval(timer);
  }, [lost, server, probe]);

  if (server === 'token-changed') {
    return (
      <div className="server-banner danger" role="alert">
        <strong>The console server restarted, and its token changed.</strong> This page’s session is no longer valid: what is on screen is
        stale and nothing more will load. Open the new URL the server printed (<code>http://127.0.0.1:PORT/?token=…</code>); if it is not
        running, run <code>npm start</code> again and open the URL it prints.
      </div>
    );
  }
  if (server === 'unreachable') {
    return (
      <div className="server-banner danger" role="alert">
        <strong>The console server stopped</strong> (or this page lost its connection to it). What is on screen is stale. Start it again with{' '}
        <code>npm start</code> and open the URL it prints: a restarted server has a new token, so this page will not reconnect by itself.
      </div>
    );
  }
  return null;
}
