// Starts the node the suite runs against, on a free port of 127.0.0.1:
// a `cairn node --devnet` in a fresh home (E2E_TARGET=cairn, the default),
// or Anvil from npm (E2E_TARGET=anvil) for developing the tests without
// Cairn. startTarget resolves once eth_chainId answers; stop() ends the
// process and removes its temporary directory.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const e2eDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repoDir = path.resolve(e2eDir, '..');

const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

// freePort asks the kernel for a port that is free on 127.0.0.1 now.
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// cairnBinary returns CAIRN_BIN, or builds ./cmd/cairn into dir.
function cairnBinary(dir) {
  if (process.env.CAIRN_BIN) return path.resolve(process.env.CAIRN_BIN);
  const bin = path.join(dir, 'cairn');
  const t0 = Date.now();
  execFileSync('go', ['build', '-o', bin, './cmd/cairn'], { cwd: repoDir, stdio: 'inherit' });
  console.log(`# built ${bin} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return bin;
}

function anvilBinary() {
  return path.join(e2eDir, 'node_modules', '.bin', 'anvil');
}

async function rpc(url, method, params = []) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    signal: AbortSignal.timeout(2_000),
  });
  const body = await res.json();
  if (body.error) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
  return body.result;
}

export async function startTarget() {
  const target = process.env.E2E_TARGET || 'cairn';
  if (target !== 'cairn' && target !== 'anvil') {
    throw new Error(`E2E_TARGET=${target}: want cairn or anvil`);
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-e2e-'));
  const logPath = path.join(tmp, `${target}.log`);
  // logTail returns the log's last n lines, less Cairn's line per block.
  const logTail = (n = 40) => {
    try {
      const lines = fs.readFileSync(logPath, 'utf8').split('\n');
      return lines.filter((l) => !l.includes('msg="committed block"')).slice(-n).join('\n');
    } catch {
      return '';
    }
  };
  let child;
  let exited = null;
  const stop = async () => {
    if (child && exited === null) {
      const done = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await done;
      clearTimeout(timer);
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  try {
    const port = await freePort();
    let cmd;
    let args;
    if (target === 'cairn') {
      cmd = cairnBinary(tmp);
      args = ['node', '--devnet', '--home', path.join(tmp, 'home'), '--api', `127.0.0.1:${port}`];
    } else {
      cmd = anvilBinary();
      // A block every second, as on Cairn's devnet.
      args = ['--chain-id', '7777', '--host', '127.0.0.1', '--port', String(port), '--block-time', '1'];
    }
    const log = fs.openSync(logPath, 'a');
    child = spawn(cmd, args, { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    child.on('exit', (code, signal) => {
      exited = { code, signal };
    });
    await new Promise((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    const rpcUrl = `http://127.0.0.1:${port}/`;
    const wsUrl = target === 'cairn' ? `ws://127.0.0.1:${port}/ws` : `ws://127.0.0.1:${port}`;
    let lastErr;
    let ready = false;
    const poll = async () => {
      while (!ready) {
        if (exited) throw new Error(`${target} exited (${JSON.stringify(exited)}) before answering eth_chainId`);
        try {
          const id = await rpc(rpcUrl, 'eth_chainId');
          if (BigInt(id) !== 7777n) throw Object.assign(new Error(`eth_chainId is ${id}, want 7777 (0x1e61)`), { fatal: true });
          return;
        } catch (err) {
          if (err.fatal) throw err;
          lastErr = err;
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    // The deadline is a timer of its own, which also keeps the event loop
    // alive whatever the polling's sockets and signals do.
    let timer;
    const deadline = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(
        `${target} did not answer eth_chainId at ${rpcUrl} within ${READY_TIMEOUT_MS / 1000} s: ${lastErr?.message}`,
      )), READY_TIMEOUT_MS);
    });
    try {
      await Promise.race([poll(), deadline]);
    } finally {
      ready = true;
      clearTimeout(timer);
    }
    return { target, rpcUrl, wsUrl, tmp, logPath, logTail, stop };
  } catch (err) {
    const tail = logTail();
    await stop();
    if (tail) err.message += `\n--- last lines of the ${target} log ---\n${tail}`;
    throw err;
  }
}
