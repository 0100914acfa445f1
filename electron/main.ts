/**
 * The desktop shell, kept thin: start the console server in-process on 127.0.0.1, open one
 * locked-down window on it, deny everything else (navigation, new windows, permissions, webviews).
 */
import { app, BrowserWindow, session, type WebContents } from 'electron';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startConsoleServer, type ConsoleServer } from '../core/console/server.js';
import { ELECTRON_CSP, isConsoleUrl } from './csp.js';
import { installMenu } from './menu.js';
import { safeStorageSecretBox } from './secret-box.js';

const here = fileURLToPath(new URL('.', import.meta.url));
let server: ConsoleServer | null = null;

function lockDown(contents: WebContents, origin: string): void {
  contents.on('will-navigate', (event, url) => {
    if (!isConsoleUrl(url, origin)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isConsoleUrl(url, origin)) event.preventDefault();
  });
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

async function createWindow(console: ConsoleServer): Promise<void> {
  const origin = console.origin;
  const window = new BrowserWindow({
    width: 1400,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    title: 'Scrollback',
    show: false,
    webPreferences: {
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      preload: join(here, 'preload.cjs'),
    },
  });
  lockDown(window.webContents, origin);
  window.once('ready-to-show', () => window.show());
  // The URL carries the token once; the server trades it for an HttpOnly cookie and redirects.
  await window.loadURL(console.url);
}

async function main(): Promise<void> {
  app.enableSandbox();
  await app.whenReady();

  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [ELECTRON_CSP] } });
  });

  installMenu({ devTools: !app.isPackaged });
  server = await startConsoleServer({
    dataDir: process.env.SCROLLBACK_CONSOLE_DIR ?? app.getPath('userData'),
    // Three levels above electron/dist/electron: the repository in development, the app's asar
    // when packaged (app.getAppPath() is electron/dist in development).
    staticDir: join(here, '..', '..', '..', 'dist', 'renderer'),
    secretBox: safeStorageSecretBox(),
    // The desktop window has a cookie jar of its own that no other local page shares, so the
    // cookie-isolation reason for a random loopback address does not apply; 127.0.0.1 keeps the
    // fixed desktop CSP (ws://127.0.0.1:*) valid.
    host: '127.0.0.1',
  });
  const running = server;
  app.on('web-contents-created', (_event, contents) => lockDown(contents, running.origin));
  await createWindow(running);

  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) void createWindow(running);
  });
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

let closing = false;
app.on('before-quit', (event) => {
  if (closing || server === null) return;
  closing = true;
  event.preventDefault();
  const running = server;
  server = null;
  void running.close().finally(() => app.quit());
});

main().catch((error: unknown) => {
  process.stderr.write(`Scrollback could not start: ${error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error'}\n`);
  app.exit(1);
});
