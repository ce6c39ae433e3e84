// What every test file shares: where the node is (set by run.js, or by hand
// for a node already running), the dev accounts, the compiled contracts,
// the staking interface, and a bounded wait.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileContracts } from './compile.js';

const e2eDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const TARGET = process.env.E2E_TARGET || 'cairn';
export const RPC_URL = process.env.E2E_RPC_URL || 'http://127.0.0.1:8545/';
export const WS_URL = process.env.E2E_WS_URL || (TARGET === 'cairn' ? 'ws://127.0.0.1:8545/ws' : 'ws://127.0.0.1:8545');
export const CHAIN_ID = 7777;

// The ten accounts of "test test test test test test test test test test
// test junk" (m/44'/60'/0'/0/i), funded by Cairn's devnet and by Anvil.
// Public keys: never use them for anything of value. Each test file uses
// its own accounts, so the files run at the same time without sharing
// nonces: 0 is the devnet validator's operator (unused here), 1 staking,
// 2-3 ethers, 4-5 viem, 6 web3.
export const DEV_KEYS = [
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
  '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6',
  '0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a',
  '0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba',
  '0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e',
  '0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356',
  '0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97',
  '0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6',
];
export const DEV_ADDRESSES = [
  '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
  '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
  '0x90F79bf6EB2c4f870365E785982E1f101E93b906',
  '0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65',
  '0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc',
  '0x976EA74026E726554dB657fA54763abd0C3a0aa9',
  '0x14dC79964da2C08b23698B3D3cc7Ca32193d9955',
  '0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f',
  '0xa0Ee7A142d267C1f36714E4a8F75612F20a79720',
];

// The native staking contract (docs/STAKING.md) and its published ABI.
export const STAKING_ADDRESS = '0x0000000000000000000000000000005374616b65';
export const STAKING_ABI = JSON.parse(
  fs.readFileSync(path.join(e2eDir, '..', 'chain', 'staking', 'stakingabi', 'IStaking.abi.json'), 'utf8'),
);
// The devnet's one validator, operated by the first dev account.
export const DEVNET_VALIDATOR = DEV_ADDRESSES[0];

let compiled;
// artifacts returns the compiled contracts: run.js's, or compiled here
// when a test file runs by itself.
export function artifacts() {
  if (!compiled) {
    compiled = process.env.E2E_ARTIFACTS
      ? JSON.parse(fs.readFileSync(process.env.E2E_ARTIFACTS, 'utf8'))
      : compileContracts();
  }
  return compiled;
}

// within resolves like promise, or rejects after ms with what was awaited.
export function within(ms, what, promise) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// rawRpc sends one JSON-RPC request and returns the whole response body, so
// a test can show exactly what the node answered.
export async function rawRpc(method, params = []) {
  const res = await fetch(RPC_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    signal: AbortSignal.timeout(10_000),
  });
  return res.json();
}
