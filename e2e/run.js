// The suite's entry point (npm test): compiles the contracts, starts the
// target node (lib/target.js), runs test/*.test.js with Node's test runner
// against it, and stops the node whatever the tests did. Exits with the
// runner's status.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileContracts } from './lib/compile.js';
import { startTarget } from './lib/target.js';

const e2eDir = path.dirname(fileURLToPath(import.meta.url));
const t0 = Date.now();

const files = process.argv.slice(2).length > 0
  ? process.argv.slice(2)
  : fs.readdirSync(path.join(e2eDir, 'test')).filter((f) => f.endsWith('.test.js')).sort().map((f) => path.join('test', f));

let artifacts;
let node;
try {
  artifacts = compileContracts();
  node = await startTarget();
} catch (err) {
  console.error(`# e2e: ${err.message}`);
  process.exit(1);
}
console.log(`# ${node.target} answers at ${node.rpcUrl} (WebSocket ${node.wsUrl})`);
fs.writeFileSync(path.join(node.tmp, 'artifacts.json'), JSON.stringify(artifacts));

let child;
const stopAll = async (signal) => {
  if (child && child.exitCode === null) child.kill(signal);
  await node.stop();
};
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, async () => {
    await stopAll(sig);
    process.exit(130);
  });
}

let code;
try {
  child = spawn(process.execPath, ['--test', '--test-reporter=spec', '--test-concurrency=4', '--test-timeout=120000', ...files], {
    cwd: e2eDir,
    stdio: 'inherit',
    env: {
      ...process.env,
      E2E_TARGET: node.target,
      E2E_RPC_URL: node.rpcUrl,
      E2E_WS_URL: node.wsUrl,
      E2E_ARTIFACTS: path.join(node.tmp, 'artifacts.json'),
    },
  });
  code = await new Promise((resolve) => child.once('exit', (c, s) => resolve(c ?? (s ? 1 : 0))));
  if (code !== 0) {
    console.log(`# --- last lines of the ${node.target} log ---\n${node.logTail(60)}`);
  }
} finally {
  await node.stop();
}
console.log(`# e2e against ${node.target}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
process.exit(code);
