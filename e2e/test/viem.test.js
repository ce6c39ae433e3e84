// viem against the node: an OpenZeppelin ERC-20 deployed, transferred and
// read; Transfer events by getContractEvents, by an eth_newFilter filter and
// by eth_getLogs; newHeads and logs over WebSocket; a custom error decoded
// from eth_call and from eth_estimateGas; legacy and EIP-1559 transactions.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  BaseError, ContractFunctionRevertedError, createPublicClient, createWalletClient, defineChain,
  encodeAbiParameters, encodeEventTopics, encodeFunctionData, http, keccak256, parseAbiItem, parseEther,
  parseUnits, toHex, webSocket,
} from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { RPC_URL, WS_URL, CHAIN_ID, DEV_KEYS, artifacts, within } from '../lib/env.js';

const WAIT_MS = 30_000;
const SUPPLY = parseUnits('500000', 18);

const chain = defineChain({
  id: CHAIN_ID,
  name: 'Cairn devnet',
  nativeCurrency: { name: 'Cairn', symbol: 'CRN', decimals: 18 },
  rpcUrls: { default: { http: [RPC_URL], webSocket: [WS_URL] } },
});

const client = createPublicClient({ chain, transport: http(RPC_URL), pollingInterval: 200 });
const alice = privateKeyToAccount(DEV_KEYS[4]);
const bob = privateKeyToAccount(DEV_KEYS[5]);
const aliceWallet = createWalletClient({ account: alice, chain, transport: http(RPC_URL) });
const { abi: tokenAbi, bytecode: tokenCode } = artifacts().CairnToken;
const { abi: guardAbi, bytecode: guardCode } = artifacts().Guard;

let token; // address
let deployBlock;

async function mined(hash) {
  const receipt = await client.waitForTransactionReceipt({ hash, timeout: WAIT_MS, pollingInterval: 200 });
  assert.equal(receipt.status, 'success', `transaction ${hash} failed`);
  return receipt;
}

async function transfer(to, amount) {
  const hash = await aliceWallet.writeContract({ address: token, abi: tokenAbi, functionName: 'transfer', args: [to, amount] });
  return mined(hash);
}

const balanceOf = (who, blockNumber) =>
  client.readContract({ address: token, abi: tokenAbi, functionName: 'balanceOf', args: [who], blockNumber });

// revertOf returns the decoded revert of a viem error (a custom error or
// Error(string)), or fails with the error's whole message.
function revertOf(err) {
  assert.ok(err instanceof BaseError, `not a viem error: ${err}`);
  const reverted = err.walk((e) => e instanceof ContractFunctionRevertedError);
  assert.ok(reverted, `no ContractFunctionRevertedError in: ${err.message}`);
  return reverted.data;
}

before(async () => {
  const hash = await aliceWallet.deployContract({ abi: tokenAbi, bytecode: tokenCode, args: [SUPPLY] });
  const receipt = await mined(hash);
  token = receipt.contractAddress;
  deployBlock = receipt.blockNumber;
});

test('viem: getChainId is 7777 and the ERC-20 is deployed with its supply', async () => {
  assert.equal(await client.getChainId(), CHAIN_ID);
  assert.ok((await client.getCode({ address: token })).length > 2);
  assert.equal(await client.readContract({ address: token, abi: tokenAbi, functionName: 'symbol' }), 'CTT');
  assert.equal(await balanceOf(alice.address), SUPPLY);
});

test('viem: transfer moves tokens; Transfer events by getContractEvents, a filter and eth_getLogs', async () => {
  const amount = parseUnits('321', 18);
  // An eth_newFilter filter made before the transfer sees it in getFilterChanges.
  const filter = await client.createContractEventFilter({ address: token, abi: tokenAbi, eventName: 'Transfer', args: { to: bob.address } });
  const receipt = await transfer(bob.address, amount);
  assert.equal(await balanceOf(bob.address), amount);
  assert.equal(await balanceOf(alice.address, receipt.blockNumber), SUPPLY - amount);

  const events = await client.getContractEvents({
    address: token, abi: tokenAbi, eventName: 'Transfer', args: { from: alice.address, to: bob.address }, fromBlock: deployBlock, toBlock: 'latest',
  });
  assert.equal(events.length, 1, JSON.stringify(events, (_, v) => (typeof v === 'bigint' ? v.toString() : v)));
  assert.equal(events[0].transactionHash, receipt.transactionHash);
  assert.equal(events[0].args.value, amount);
  assert.equal(events[0].eventName, 'Transfer');

  // The filter's log arrives with the block; poll it until then (bounded).
  let changes = [];
  const deadline = Date.now() + WAIT_MS;
  while (!changes.some((l) => l.transactionHash === receipt.transactionHash)) {
    assert.ok(Date.now() < deadline, `getFilterChanges never returned ${receipt.transactionHash}`);
    changes = changes.concat(await client.getFilterChanges({ filter }));
    if (changes.length === 0) await new Promise((r) => setTimeout(r, 200));
  }
  const change = changes.find((l) => l.transactionHash === receipt.transactionHash);
  assert.equal(change.args.to, bob.address);
  assert.equal(change.args.value, amount);
  const filterLogs = await client.getFilterLogs({ filter });
  assert.ok(filterLogs.some((l) => l.transactionHash === receipt.transactionHash), 'eth_getFilterLogs lacks the transfer');
  assert.equal(await client.uninstallFilter({ filter }), true);

  // getLogs with an event and indexed args, and eth_getLogs by hand.
  const logs = await client.getLogs({
    address: token, event: parseAbiItem('event Transfer(address indexed from, address indexed to, uint256 value)'),
    args: { to: bob.address }, fromBlock: deployBlock, toBlock: 'latest',
  });
  assert.deepEqual(logs.map((l) => l.transactionHash), [receipt.transactionHash]);
  const topics = encodeEventTopics({ abi: tokenAbi, eventName: 'Transfer', args: { from: alice.address } });
  const raw = await client.request({
    method: 'eth_getLogs',
    params: [{ address: token, topics, fromBlock: toHex(receipt.blockNumber), toBlock: toHex(receipt.blockNumber) }],
  });
  assert.equal(raw.length, 1, JSON.stringify(raw));
  assert.equal(raw[0].transactionHash, receipt.transactionHash);
  assert.equal(BigInt(raw[0].data), amount);
});

test('viem: a block filter (eth_newBlockFilter) reports new block hashes', async () => {
  const filter = await client.createBlockFilter();
  const start = await client.getBlockNumber();
  let hashes = [];
  const deadline = Date.now() + WAIT_MS;
  while (hashes.length < 2) {
    assert.ok(Date.now() < deadline, `getFilterChanges of a block filter returned ${hashes.length} hashes`);
    hashes = hashes.concat(await client.getFilterChanges({ filter }));
    if (hashes.length < 2) await new Promise((r) => setTimeout(r, 250));
  }
  const block = await client.getBlock({ blockHash: hashes[1] });
  assert.ok(block.number > start, `block ${block.number} of the filter is not after ${start}`);
  await client.uninstallFilter({ filter });
});

test('viem: WebSocket: watchBlocks (newHeads) and watchContractEvent (logs)', async () => {
  const transport = webSocket(WS_URL, { timeout: WAIT_MS });
  const ws = createPublicClient({ chain, transport });
  const unwatches = [];
  try {
    assert.equal(await within(WAIT_MS, 'eth_chainId over WebSocket', ws.getChainId()), CHAIN_ID);
    const heads = [];
    const twoHeads = new Promise((resolve, reject) => {
      unwatches.push(ws.watchBlocks({
        onBlock: (block) => {
          heads.push(block);
          if (heads.length === 2) resolve();
        },
        onError: reject,
      }));
    });
    const amount = parseUnits('9', 18);
    const gotLog = new Promise((resolve, reject) => {
      unwatches.push(ws.watchContractEvent({
        address: token, abi: tokenAbi, eventName: 'Transfer', args: { from: alice.address, to: bob.address },
        onLogs: (logs) => {
          const log = logs.find((l) => l.args.value === amount);
          if (log) resolve(log);
        },
        onError: reject,
      }));
    });
    await within(WAIT_MS, 'two newHeads over WebSocket', twoHeads);
    assert.equal(heads[1].number, heads[0].number + 1n, `heads not consecutive: ${heads.map((h) => h.number)}`);
    assert.equal(heads[1].parentHash, heads[0].hash);
    const receipt = await transfer(bob.address, amount);
    const log = await within(WAIT_MS, 'the Transfer log over WebSocket', gotLog);
    assert.equal(log.transactionHash, receipt.transactionHash);
    assert.equal(log.blockNumber, receipt.blockNumber);
    assert.equal(log.args.to, bob.address);
  } finally {
    for (const unwatch of unwatches) unwatch();
    (await transport({ chain }).value.getRpcClient()).close();
  }
});

test('viem: a custom error is decoded from eth_call and from eth_estimateGas', async () => {
  const receipt = await mined(await aliceWallet.deployContract({ abi: guardAbi, bytecode: guardCode }));
  const guard = receipt.contractAddress;
  assert.equal(await client.readContract({ address: guard, abi: guardAbi, functionName: 'check', args: [50n] }), 50n);

  const callErr = await client.readContract({ address: guard, abi: guardAbi, functionName: 'check', args: [3n] }).then(() => null, (e) => e);
  assert.ok(callErr, 'check(3) did not revert');
  const call = revertOf(callErr);
  assert.equal(call.errorName, 'TooLow');
  assert.deepEqual(call.args, [3n, 10n]);

  const estErr = await client.estimateContractGas({ address: guard, abi: guardAbi, functionName: 'set', args: [4n], account: alice })
    .then(() => null, (e) => e);
  assert.ok(estErr, 'estimateGas of set(4) did not revert');
  const est = revertOf(estErr);
  assert.equal(est.errorName, 'TooLow');
  assert.deepEqual(est.args, [4n, 10n]);

  // simulateContract (eth_call from the account) decodes it too.
  const simErr = await client.simulateContract({ address: guard, abi: guardAbi, functionName: 'set', args: [1n], account: alice })
    .then(() => null, (e) => e);
  assert.equal(revertOf(simErr).errorName, 'TooLow');
});

test('viem: legacy (type 0) and EIP-1559 (type 2) transactions', async () => {
  const to = privateKeyToAccount(generatePrivateKey()).address; // a fresh account
  const value = parseEther('0.5');
  assert.equal(await client.getBalance({ address: to }), 0n);
  assert.ok((await client.getGasPrice()) > 0n);
  const fees = await client.estimateFeesPerGas();
  assert.ok(fees.maxFeePerGas >= fees.maxPriorityFeePerGas);

  const legacyHash = await aliceWallet.sendTransaction({ to, value, type: 'legacy' });
  const legacyReceipt = await mined(legacyHash);
  assert.equal(legacyReceipt.type, 'legacy');
  const legacy = await client.getTransaction({ hash: legacyHash });
  assert.equal(legacy.type, 'legacy');
  assert.equal(legacy.chainId, CHAIN_ID);

  const dynamicHash = await aliceWallet.sendTransaction({ to, value, type: 'eip1559' });
  const dynamicReceipt = await mined(dynamicHash);
  assert.equal(dynamicReceipt.type, 'eip1559');
  const dynamic = await client.getTransaction({ hash: dynamicHash });
  assert.equal(dynamic.type, 'eip1559');
  assert.ok(dynamic.maxFeePerGas > 0n);
  assert.ok(dynamicReceipt.effectiveGasPrice <= dynamic.maxFeePerGas);

  assert.equal(await client.getBalance({ address: to }), 2n * value);
  const block = await client.getBlock({ blockNumber: dynamicReceipt.blockNumber, includeTransactions: true });
  assert.ok(block.transactions.some((t) => t.hash === dynamicHash));
  assert.ok(block.baseFeePerGas !== null && block.baseFeePerGas !== undefined, 'the block has no baseFeePerGas');
});

test('viem: fee history, block tags and the transaction count', async () => {
  const latest = await client.getBlockNumber();
  const history = await client.getFeeHistory({ blockCount: 4, rewardPercentiles: [25, 75] });
  assert.equal(history.baseFeePerGas.length, 5, `baseFeePerGas ${history.baseFeePerGas}`);
  assert.equal(history.gasUsedRatio.length, 4);
  assert.equal(history.reward.length, 4);
  assert.ok(history.reward.every((r) => r.length === 2));
  assert.ok(history.oldestBlock <= latest && history.oldestBlock >= latest - 4n, `oldestBlock ${history.oldestBlock}, latest ${latest}`);
  for (const blockTag of ['safe', 'finalized']) {
    const block = await client.getBlock({ blockTag });
    assert.ok(block.number <= (await client.getBlockNumber()));
  }
  const count = await client.getTransactionCount({ address: alice.address });
  assert.equal(await client.getTransactionCount({ address: alice.address, blockTag: 'pending' }), count);
  assert.ok(count > 0);
});

test('viem: eth_getProof of the token and a balance slot; eth_createAccessList', async () => {
  const amount = 777n;
  const receipt = await transfer(bob.address, amount);
  const blockNumber = receipt.blockNumber;
  const held = await balanceOf(bob.address, blockNumber);
  // OpenZeppelin 5's ERC20 keeps _balances at slot 0: bob's entry is at
  // keccak256(pad(bob) . pad(0)).
  const slot = keccak256(encodeAbiParameters([{ type: 'address' }, { type: 'uint256' }], [bob.address, 0n]));
  const proof = await client.getProof({ address: token, storageKeys: [slot], blockNumber });
  const block = await client.getBlock({ blockNumber });
  assert.equal(proof.address.toLowerCase(), token.toLowerCase());
  assert.equal(proof.nonce, 1, 'a contract starts at nonce 1');
  assert.equal(proof.balance, 0n);
  assert.equal(proof.codeHash, keccak256(await client.getCode({ address: token, blockNumber })));
  // The proofs start at the roots: the state root of the block's header and the account's storage root.
  assert.ok(proof.accountProof.length > 0);
  assert.equal(keccak256(proof.accountProof[0]), block.stateRoot, 'the account proof does not start at the block\'s state root');
  assert.equal(proof.storageProof.length, 1);
  assert.equal(proof.storageProof[0].key, slot);
  assert.equal(proof.storageProof[0].value, held);
  assert.equal(keccak256(proof.storageProof[0].proof[0]), proof.storageHash, 'the storage proof does not start at the storage root');

  const list = await client.createAccessList({
    account: alice.address, to: token, data: encodeFunctionData({ abi: tokenAbi, functionName: 'transfer', args: [bob.address, 1n] }),
  });
  const entry = list.accessList.find((e) => e.address.toLowerCase() === token.toLowerCase());
  assert.ok(entry, `the token is not in the access list: ${JSON.stringify(list.accessList)}`);
  assert.ok(entry.storageKeys.includes(slot), `bob's balance slot is not in ${entry.storageKeys}`);
  assert.ok(BigInt(list.gasUsed) > 21000n);
});

test('viem: transactions sent back to back take their nonces from the pending count', async () => {
  const to = privateKeyToAccount(generatePrivateKey()).address;
  const start = await client.getTransactionCount({ address: alice.address, blockTag: 'pending' });
  const hashes = [];
  for (let i = 0; i < 3; i++) hashes.push(await aliceWallet.sendTransaction({ to, value: 10n }));
  const receipts = await Promise.all(hashes.map((hash) => mined(hash)));
  const txs = await Promise.all(hashes.map((hash) => client.getTransaction({ hash })));
  assert.deepEqual(txs.map((t) => t.nonce), [start, start + 1, start + 2]);
  assert.equal(receipts.length, 3);
  assert.equal(await client.getBalance({ address: to }), 30n);
});

test('viem: pending transactions by WebSocket subscription and by filter', async () => {
  const transport = webSocket(WS_URL, { timeout: WAIT_MS });
  const ws = createPublicClient({ chain, transport });
  let sub;
  try {
    const filter = await client.createPendingTransactionFilter();
    // eth_subscribe("newPendingTransactions") through the transport, which
    // resolves once the node has answered with the subscription's id.
    const seen = new Set();
    let ours;
    let sawOurs;
    const gotOurs = new Promise((resolve) => { sawOurs = resolve; });
    sub = await within(WAIT_MS, 'eth_subscribe newPendingTransactions', ws.transport.subscribe({
      params: ['newPendingTransactions'],
      onData: ({ result }) => {
        seen.add(result);
        if (ours && seen.has(ours)) sawOurs();
      },
      onError: (e) => sawOurs(Promise.reject(e)),
    }));
    assert.match(sub.subscriptionId, /^0x[0-9a-f]+$/);
    ours = await aliceWallet.sendTransaction({ to: bob.address, value: 1n });
    if (seen.has(ours)) sawOurs();
    await within(WAIT_MS, `newPendingTransactions with ${ours}`, gotOurs);
    await mined(ours);
    const hashes = await client.getFilterChanges({ filter });
    assert.ok(hashes.includes(ours), `eth_newPendingTransactionFilter changes lack ${ours}: ${hashes}`);
    await client.uninstallFilter({ filter });
    assert.equal((await sub.unsubscribe()).result, true, "eth_unsubscribe did not answer true");
    sub = null;
  } finally {
    await sub?.unsubscribe().catch(() => {});
    (await transport({ chain }).value.getRpcClient()).close();
  }
});
