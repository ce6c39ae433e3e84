const solc = require('solc');
const fs = require('fs');
const src = fs.readFileSync(process.argv[2], 'utf8');
const input = {language: 'Solidity', sources: {'Counter.sol': {content: src}},
  settings: {optimizer: {enabled: true, runs: 200}, evmVersion: 'cancun', outputSelection: {'*': {'*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object']}}}};
const out = JSON.parse(solc.compile(JSON.stringify(input)));
if (out.errors) for (const e of out.errors) { console.error(e.formattedMessage); if (e.severity === 'error') process.exit(1); }
for (const [name, c] of Object.entries(out.contracts['Counter.sol'])) {
  fs.writeFileSync(name + '.bin', c.evm.bytecode.object + '\n');
  fs.writeFileSync(name + '.abi.json', JSON.stringify(c.abi, null, 1) + '\n');
}
console.log('solc', solc.version());
