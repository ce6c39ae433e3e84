// Compiles Token.sol with solc-js 0.8.28 and writes the fixtures of
// wallet/contracts/testdata in four shapes (standard-JSON output, solc
// --combined-json, Foundry, Hardhat). Run it outside the repository:
//   mkdir /tmp/solcjs && cd /tmp/solcjs && npm install solc@0.8.28
//   mkdir src && cp <repo>/wallet/contracts/testdata/src/Token.sol src/
//   cp <repo>/wallet/contracts/testdata/src/build.js . && node build.js <repo>/wallet/contracts/testdata
const solc = require('solc');
const fs = require('fs');
const path = require('path');
const src = fs.readFileSync('src/Token.sol', 'utf8');
const input = {
  language: 'Solidity',
  sources: { 'src/Token.sol': { content: src } },
  settings: { optimizer: { enabled: true, runs: 200 },
    outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object', 'evm.methodIdentifiers', 'metadata'] } } },
};
const out = JSON.parse(solc.compile(JSON.stringify(input)));
const errs = (out.errors || []).filter(e => e.severity === 'error');
if (errs.length) { console.error(errs); process.exit(1); }
const dest = process.argv[2];
const w = (p, v) => { fs.mkdirSync(path.dirname(path.join(dest, p)), { recursive: true }); fs.writeFileSync(path.join(dest, p), JSON.stringify(v, null, 2) + '\n'); };
// standard-JSON output: trimmed to abi and evm bytecode to stay small
const std = { contracts: {}, sources: { 'src/Token.sol': { id: 0 } } };
for (const [file, cs] of Object.entries(out.contracts)) {
  std.contracts[file] = {};
  for (const [name, c] of Object.entries(cs)) std.contracts[file][name] = { abi: c.abi, evm: { bytecode: { object: c.evm.bytecode.object } } };
}
w('standard-output.json', std);
// solc --combined-json abi,bin
const comb = { contracts: {}, version: solc.version() };
for (const [file, cs] of Object.entries(out.contracts)) for (const [name, c] of Object.entries(cs)) comb.contracts[file + ':' + name] = { abi: c.abi, bin: c.evm.bytecode.object };
w('combined.json', comb);
const t = out.contracts['src/Token.sol'].Token;
// Foundry: out/Token.sol/Token.json
w('out/Token.sol/Token.json', {
  abi: t.abi,
  bytecode: { object: '0x' + t.evm.bytecode.object, sourceMap: '', linkReferences: {} },
  deployedBytecode: { object: '0x' + t.evm.deployedBytecode.object, sourceMap: '', linkReferences: {} },
  methodIdentifiers: t.evm.methodIdentifiers,
  metadata: { compiler: { version: solc.version() }, language: 'Solidity', settings: { compilationTarget: { 'src/Token.sol': 'Token' } } },
  id: 0,
});
// Hardhat: artifacts/contracts/Token.sol/Token.json
w('artifacts/contracts/Token.sol/Token.json', {
  _format: 'hh-sol-artifact-1', contractName: 'Token', sourceName: 'contracts/Token.sol', abi: t.abi,
  bytecode: '0x' + t.evm.bytecode.object, deployedBytecode: '0x' + t.evm.deployedBytecode.object,
  linkReferences: {}, deployedLinkReferences: {},
});
console.log('ok', solc.version(), t.evm.bytecode.object.length / 2, 'bytes');
