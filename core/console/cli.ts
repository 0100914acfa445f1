/**
 * Web mode: `node --import tsx core/console/cli.ts` serves the console on its own loopback address (127.x.y.z), prints the
 * URL with its token and runs until SIGINT/SIGTERM. `npm start` runs this where Electron is absent.
 */
import { consoleDataDir, consolePort, rendererDir } from './paths.js';
import { startConsoleServer } from './server.js';

const dataDir = consoleDataDir();
const token = process.env.SCROLLBACK_CONSOLE_TOKEN;
process.stderr.write(`Scrollback console: data in ${dataDir}; preparing…\n`);
const server = await startConsoleServer({
  dataDir,
  staticDir: rendererDir(),
  port: consolePort(),
  ...(token !== undefined && token.length >= 16 ? { token } : {}),
});
process.stdout.write(`\nScrollback console is running:\n\n  ${server.url}\n\nOpen that URL in a browser (the token is required). Stop with Ctrl+C.\n`);

let stopping = false;
const stop = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`\n${signal}: stopping the console…\n`);
  server.close().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`error while stopping: ${error instanceof Error ? error.name : 'unknown'}\n`);
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
