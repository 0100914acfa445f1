import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const rendererRoot = fileURLToPath(new URL('./renderer', import.meta.url));
const outDir = fileURLToPath(new URL('./dist/renderer', import.meta.url));

// The console server serves this build with its own CSP; relative asset URLs let the same build
// load from any port the server picked at launch (and from Electron, which loads the same URL).
export default defineConfig({
  root: rendererRoot,
  base: './',
  plugins: [react()],
  build: {
    outDir,
    emptyOutDir: true,
    sourcemap: true,
    // No inline scripts or styles: the server's CSP has no 'unsafe-inline' for scripts.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
