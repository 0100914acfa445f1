/**
 * Sandboxed preload: exposes only which shell hosts the UI. Everything else goes through the
 * console server's HTTP API, exactly as in a browser. CommonJS: sandboxed preloads are scripts.
 */
import electron = require('electron');

electron.contextBridge.exposeInMainWorld('scrollbackShell', Object.freeze({ kind: 'electron', platform: process.platform }));
