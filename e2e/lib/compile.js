// Compiles the suite's contracts (contracts/*.sol, importing OpenZeppelin
// from node_modules) with solc-js and returns { Name: { abi, bytecode } }.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const solc = require('solc');

const e2eDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const contractsDir = path.join(e2eDir, 'contracts');

// Cairn's published staking interface, imported as "cairn/IStaking.sol".
const cairnDir = path.join(e2eDir, '..', 'chain', 'staking', 'stakingabi');

// findImport resolves "cairn/..." in Cairn's staking interface and
// "@openzeppelin/contracts/..." (and any other package path) in node_modules
// for solc's import callback.
function findImport(importPath) {
  try {
    if (importPath.startsWith('cairn/')) {
      return { contents: fs.readFileSync(path.join(cairnDir, importPath.slice('cairn/'.length)), 'utf8') };
    }
    return { contents: fs.readFileSync(require.resolve(importPath), 'utf8') };
  } catch (err) {
    return { error: `cannot import ${importPath}: ${err.message}` };
  }
}

export function compileContracts() {
  const sources = {};
  for (const file of fs.readdirSync(contractsDir).filter((f) => f.endsWith('.sol'))) {
    sources[file] = { content: fs.readFileSync(path.join(contractsDir, file), 'utf8') };
  }
  const input = {
    language: 'Solidity',
    sources,
    settings: {
      // Cancun: what both go-ethereum's merged test config (Cairn's) and Anvil run.
      evmVersion: 'cancun',
      optimizer: { enabled: true, runs: 200 },
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImport }));
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) {
    throw new Error(`solc ${solc.version()}:\n${errors.map((e) => e.formattedMessage).join('\n')}`);
  }
  const artifacts = {};
  for (const file of Object.keys(sources)) {
    for (const [name, c] of Object.entries(output.contracts[file] ?? {})) {
      artifacts[name] = { abi: c.abi, bytecode: '0x' + c.evm.bytecode.object };
    }
  }
  return artifacts;
}
