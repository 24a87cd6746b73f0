// Starts a real sellerq server for a browser test: the built binary (`SELLERQ_BIN`, default
// ../target/debug/sellerq), `serve --demo` on a fresh temporary database and a free loopback
// port. Waits until /healthz answers, and stops the server (SIGTERM, then SIGKILL) afterwards.

import { spawn } from 'node:child_process';
import { access, constants, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const E2E_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The repository root (the parent of e2e/). */
export const REPO_ROOT = path.resolve(E2E_DIR, '..');

/** How long a server may take to answer /healthz (a debug build hashing the demo passwords). */
const START_TIMEOUT_MS = Number(process.env.SELLERQ_E2E_START_TIMEOUT_MS ?? 60_000);

/** Keep at most this much of a server's output for failure reports. */
const MAX_LOG_CHARS = 1_000_000;

// Servers still running, killed if the test process exits without stopping them.
const running = new Set();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** The sellerq binary: `SELLERQ_BIN` (relative to the working directory) or the debug build. */
export function binaryPath() {
  const fromEnv = process.env.SELLERQ_BIN;
  return fromEnv ? path.resolve(fromEnv) : path.resolve(E2E_DIR, '../target/debug/sellerq');
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts `sellerq serve` on a fresh database.
 *
 * @param {{ demo?: boolean, args?: string[], env?: Record<string, string> }} [options]
 *   `demo` (default true) adds `--demo`; `args` are appended to the command line.
 * @returns {Promise<{ baseURL: string, port: number, db: string, logs: () => string,
 *   stop: () => Promise<void> }>}
 */
export async function startServer({ demo = true, args = [], env = {} } = {}) {
  const bin = binaryPath();
  try {
    await access(bin, constants.X_OK);
  } catch {
    throw new Error(
      `no sellerq binary at ${bin}: build it with \`cargo build --bin sellerq\` ` +
        'or point SELLERQ_BIN at one',
    );
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sellerq-e2e-'));
  const db = path.join(dir, 'sellerq.db');

  // A free port can be taken between our probe and the server's bind: try a few.
  let lastError;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    const server = launch(bin, dir, db, port, demo, args, env);
    try {
      await server.ready;
      return server.handle;
    } catch (err) {
      await server.handle.stop({ keepDir: true });
      lastError = err;
      if (!/address (already )?in use/i.test(server.handle.logs())) break;
    }
  }
  await rm(dir, { recursive: true, force: true });
  throw lastError;
}

function launch(bin, dir, db, port, demo, args, env) {
  const baseURL = `http://127.0.0.1:${port}`;
  const argv = ['serve', ...(demo ? ['--demo'] : []), '--db', db, '--bind', `127.0.0.1:${port}`];
  argv.push(...args);
  const child = spawn(bin, argv, {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', ...env },
  });
  running.add(child);

  let output = `$ ${bin} ${argv.join(' ')}\n`;
  const keep = (chunk) => {
    output += chunk.toString();
    if (output.length > MAX_LOG_CHARS) output = output.slice(-MAX_LOG_CHARS);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);

  let exit = null;
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      running.delete(child);
      resolve(exit);
    });
    child.on('error', (err) => {
      keep(`\n[spawn error] ${err.message}\n`);
      exit = exit ?? { code: null, signal: null, error: err };
      running.delete(child);
      resolve(exit);
    });
  });

  const logs = () => output;

  const stop = async ({ keepDir = false } = {}) => {
    if (exit === null) {
      child.kill('SIGTERM');
      let timer;
      const timeout = new Promise((resolve) => {
        timer = setTimeout(() => resolve(null), 10_000);
      });
      const done = await Promise.race([exited, timeout]);
      clearTimeout(timer);
      if (done === null) {
        keep('\n[e2e] no exit 10 s after SIGTERM; sending SIGKILL\n');
        child.kill('SIGKILL');
        await exited;
      }
    }
    if (!keepDir) await rm(dir, { recursive: true, force: true });
  };

  const ready = (async () => {
    const deadline = Date.now() + START_TIMEOUT_MS;
    let lastProblem = 'no answer yet';
    while (Date.now() < deadline) {
      if (exit !== null) {
        throw new Error(
          `sellerq exited before it was healthy (${describeExit(exit)}); its output:\n${tail(output)}`,
        );
      }
      try {
        const res = await fetch(`${baseURL}/healthz`, { signal: AbortSignal.timeout(2_000) });
        if (res.ok) return;
        lastProblem = `/healthz answered ${res.status}`;
      } catch (err) {
        lastProblem = err.cause?.code ?? err.message;
      }
      await sleep(100);
    }
    throw new Error(
      `sellerq did not become healthy within ${START_TIMEOUT_MS} ms (${lastProblem}); ` +
        `its output:\n${tail(output)}`,
    );
  })();

  return { ready, handle: { baseURL, port, db, logs, stop } };
}

function describeExit({ code, signal, error }) {
  if (error) return error.message;
  return signal ? `signal ${signal}` : `exit code ${code}`;
}

function tail(text, lines = 40) {
  return text.split('\n').slice(-lines).join('\n');
}
