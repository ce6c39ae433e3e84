// ethers v6 against the node: an OpenZeppelin ERC-20 deployed, transferred
// and read; its Transfer events by filter and by eth_getLogs; newHeads and
// logs over WebSocket; a custom error decoded from eth_call and from
// eth_estimateGas; legacy and EIP-1559 transactions.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  ContractFactory, JsonRpcProvider, WebSocketProvider, Wallet,
  id, parseEther, parseUnits, toQuantity, zeroPadValue,
} from 'ethers';
import { RPC_URL, WS_URL, CHAIN_ID, DEV_KEYS, DEV_ADDRESSES, TARGET, artifacts, within } from '../lib/env.js';

const WAIT_MS = 30_000;
const SUPPLY = parseUnits('1000000', 18);

let provider;
let alice; // dev account 2
let bob; // dev account 3
let token;
let deployBlock;

async function mined(tx) {
  const receipt = await within(WAIT_MS, `the receipt of ${tx.hash}`, tx.wait());
  assert.equal(receipt.status, 1, `transaction ${tx.hash} failed`);
  return receipt;
}

before(async () => {
  provider = new JsonRpcProvider(RPC_URL, CHAIN_ID, { staticNetwork: true, pollingInterval: 200 });
  alice = new Wallet(DEV_KEYS[2], provider);
  bob = new Wallet(DEV_KEYS[3], provider);
  const { abi, bytecode } = artifacts().CairnToken;
  const factory = new ContractFactory(abi, bytecode, alice);
  token = await factory.deploy(SUPPLY);
  const receipt = await mined(token.deploymentTransaction());
  deployBlock = receipt.blockNumber;
  await token.waitForDeployment();
});

after(() => provider?.destroy());

test('ethers: eth_chainId and net_version are the devnet\'s 7777', async () => {
  assert.equal(await provider.send('eth_chainId', []), '0x1e61');
  assert.equal(await provider.send('net_version', []), '7777');
  assert.equal((await provider.getNetwork()).chainId, 7777n);
  // As most code makes them: no network given, so ethers detects it (eth_chainId).
  for (const detecting of [new JsonRpcProvider(RPC_URL), new WebSocketProvider(WS_URL)]) {
    try {
      assert.equal((await within(WAIT_MS, `network detection of ${detecting.constructor.name}`, detecting.getNetwork())).chainId, 7777n);
      assert.ok((await detecting.getBlockNumber()) >= 0);
    } finally {
      await detecting.destroy();
    }
  }
});

test('ethers: the ERC-20 is deployed with its code, name and supply', async () => {
  const address = await token.getAddress();
  assert.notEqual(await provider.getCode(address), '0x');
  assert.equal(await token.name(), 'Cairn Test Token');
  assert.equal(await token.symbol(), 'CTT');
  assert.equal(await token.decimals(), 18n);
  assert.equal(await token.totalSupply(), SUPPLY);
  assert.equal(await token.balanceOf(alice.address), SUPPLY);
});

test('ethers: transfer moves tokens; balances and Transfer events by filter and eth_getLogs', async () => {
  const amount = parseUnits('1234.5', 18);
  const had = await token.balanceOf(bob.address);
  const receipt = await mined(await token.transfer(bob.address, amount));
  assert.equal(await token.balanceOf(bob.address), had + amount);
  assert.equal(await token.balanceOf(alice.address, { blockTag: receipt.blockNumber }), SUPPLY - had - amount);

  // The receipt's log, parsed with the ABI.
  const parsed = receipt.logs.map((l) => token.interface.parseLog(l)).filter(Boolean);
  assert.equal(parsed.length, 1);
  assert.equal(parsed[0].name, 'Transfer');
  assert.deepEqual([...parsed[0].args], [alice.address, bob.address, amount]);

  // contract.queryFilter (eth_getLogs with address and indexed topics).
  const events = await token.queryFilter(token.filters.Transfer(alice.address, bob.address), deployBlock, 'latest');
  const ours = events.find((e) => e.transactionHash === receipt.hash);
  assert.ok(ours, `queryFilter found no Transfer of ${receipt.hash} in ${JSON.stringify(events.map((e) => e.transactionHash))}`);
  assert.equal(ours.args.value, amount);
  assert.equal(ours.blockNumber, receipt.blockNumber);
  // A filter on another recipient does not match it.
  const none = await token.queryFilter(token.filters.Transfer(null, DEV_ADDRESSES[9]), deployBlock, 'latest');
  assert.equal(none.length, 0);

  // eth_getLogs by hand: block range and topics, then the block's hash.
  const topics = [id('Transfer(address,address,uint256)'), zeroPadValue(alice.address, 32), zeroPadValue(bob.address, 32)];
  const address = await token.getAddress();
  const byRange = await provider.send('eth_getLogs', [{
    address, topics, fromBlock: toQuantity(receipt.blockNumber), toBlock: toQuantity(receipt.blockNumber),
  }]);
  assert.equal(byRange.length, 1, JSON.stringify(byRange));
  assert.equal(byRange[0].transactionHash, receipt.hash);
  assert.equal(BigInt(byRange[0].data), amount);
  assert.equal(byRange[0].blockHash, receipt.blockHash);
  assert.equal(byRange[0].removed, false);
  const byHash = await provider.send('eth_getLogs', [{ address, topics, blockHash: receipt.blockHash }]);
  assert.deepEqual(byHash, byRange);
  const logs = await provider.getLogs({ address, topics: [topics[0]], fromBlock: deployBlock });
  assert.ok(logs.some((l) => l.transactionHash === receipt.hash));
});

test('ethers: WebSocket: newHeads and logs subscriptions', async () => {
  const ws = new WebSocketProvider(WS_URL, CHAIN_ID, { staticNetwork: true });
  try {
    assert.equal((await within(WAIT_MS, 'eth_chainId over WebSocket', ws.send('eth_chainId', []))), '0x1e61');
    const heads = [];
    let sawHeads;
    const twoHeads = new Promise((resolve) => { sawHeads = resolve; });
    await ws.on('block', (n) => {
      heads.push(n);
      if (heads.length === 2) sawHeads();
    });
    const wsToken = token.connect(ws);
    const amount = parseUnits('7', 18);
    // eth_subscribe("logs", {address, topics: [Transfer, alice, bob]}). With
    // a topic filter, ethers hands the listener the event payload last.
    let sawLog;
    const gotLog = new Promise((resolve) => { sawLog = resolve; });
    await wsToken.on(wsToken.filters.Transfer(alice.address, bob.address), (...args) => {
      const { log } = args.at(-1);
      const [from, to, value] = token.interface.parseLog(log).args;
      if (value === amount) sawLog({ from, to, value, log });
    });
    // Blocks arrive every second: two heads, in order, then a transfer the
    // live logs subscription must report.
    await within(WAIT_MS, 'two newHeads over WebSocket', twoHeads);
    assert.ok(heads[1] > heads[0], `heads out of order: ${heads}`);
    const receipt = await mined(await token.transfer(bob.address, amount));
    const got = await within(WAIT_MS, 'the Transfer log over WebSocket', gotLog);
    assert.equal(got.from, alice.address);
    assert.equal(got.to, bob.address);
    assert.equal(got.log.transactionHash, receipt.hash);
    assert.equal(got.log.blockNumber, receipt.blockNumber);
  } finally {
    await ws.destroy();
  }
});

test('ethers: a custom error is decoded from eth_call and from eth_estimateGas', async () => {
  const { abi, bytecode } = artifacts().Guard;
  const guard = await new ContractFactory(abi, bytecode, alice).deploy();
  await mined(guard.deploymentTransaction());
  assert.equal(await guard.check(42), 42n);

  // eth_call of a view.
  const callErr = await guard.check(3).then(() => null, (e) => e);
  assert.ok(callErr, 'check(3) did not revert');
  assert.equal(callErr.code, 'CALL_EXCEPTION', callErr.message);
  assert.equal(callErr.revert?.name, 'TooLow', `revert not decoded: ${callErr.message} data=${callErr.data}`);
  assert.deepEqual([...callErr.revert.args], [3n, 10n]);

  // eth_estimateGas of a state-changing method.
  const estErr = await guard.set.estimateGas(5).then(() => null, (e) => e);
  assert.ok(estErr, 'estimateGas of set(5) did not revert');
  assert.equal(estErr.code, 'CALL_EXCEPTION', estErr.message);
  const decoded = guard.interface.parseError(estErr.data);
  assert.equal(decoded?.name, 'TooLow', `estimateGas error data not decoded: ${estErr.message} data=${estErr.data}`);
  assert.deepEqual([...decoded.args], [5n, 10n]);

  // OpenZeppelin's own custom error, from estimating a transfer of more than the balance.
  const ozErr = await token.connect(bob).transfer.estimateGas(alice.address, SUPPLY * 2n).then(() => null, (e) => e);
  assert.ok(ozErr, 'estimateGas of an over-balance transfer did not revert');
  assert.equal(token.interface.parseError(ozErr.data)?.name, 'ERC20InsufficientBalance', ozErr.message);

  // A good set goes through and emits Set.
  const receipt = await mined(await guard.set(11));
  assert.equal(await guard.value(), 11n);
  assert.equal(receipt.logs.length, 1);

  // A bad set sent anyway (a gas limit given, so nothing estimates it first) is
  // included and fails: status 0, and tx.wait() throws with the receipt.
  const bad = await guard.set(3, { gasLimit: 100_000 });
  const waitErr = await within(WAIT_MS, `the receipt of ${bad.hash}`, bad.wait()).then(() => null, (e) => e);
  assert.ok(waitErr, 'a reverting transaction did not fail');
  assert.equal(waitErr.code, 'CALL_EXCEPTION', waitErr.message);
  assert.equal(waitErr.receipt?.status, 0);
  const failed = await provider.getTransactionReceipt(bad.hash);
  assert.equal(failed.status, 0);
  assert.ok(failed.gasUsed > 21000n && failed.gasUsed < 100_000n, `gasUsed ${failed.gasUsed}`);
  assert.equal(failed.logs.length, 0);
  assert.equal(await guard.value(), 11n);
});

test('ethers: legacy (type 0) and EIP-1559 (type 2) transactions', async () => {
  const to = Wallet.createRandom().address; // a fresh account: its balance is what we send
  const value = parseEther('0.25');
  assert.equal(await provider.getBalance(to), 0n);
  const fee = await provider.getFeeData();
  assert.ok(fee.gasPrice > 0n, `eth_gasPrice ${fee.gasPrice}`);
  assert.ok(fee.maxFeePerGas > 0n, `maxFeePerGas ${fee.maxFeePerGas}`);

  const legacy = await alice.sendTransaction({ to, value, type: 0 });
  assert.equal(legacy.type, 0);
  const legacyReceipt = await mined(legacy);
  assert.equal(legacyReceipt.type, 0);
  const legacyTx = await provider.getTransaction(legacy.hash);
  assert.equal(legacyTx.type, 0);
  assert.equal(legacyTx.gasPrice, legacy.gasPrice);
  assert.equal(legacyTx.chainId, 7777n);

  const dynamic = await alice.sendTransaction({ to, value, type: 2 });
  assert.equal(dynamic.type, 2);
  const dynamicReceipt = await mined(dynamic);
  assert.equal(dynamicReceipt.type, 2);
  const dynamicTx = await provider.getTransaction(dynamic.hash);
  assert.equal(dynamicTx.type, 2);
  assert.equal(dynamicTx.maxFeePerGas, dynamic.maxFeePerGas);
  assert.equal(dynamicTx.maxPriorityFeePerGas, dynamic.maxPriorityFeePerGas);
  assert.ok(dynamicReceipt.gasPrice <= dynamic.maxFeePerGas, 'effective gas price above the max fee');

  assert.equal(await provider.getBalance(to), 2n * value);
  const block = await provider.getBlock(dynamicReceipt.blockNumber, true);
  assert.ok(block.prefetchedTransactions.some((t) => t.hash === dynamic.hash));
  assert.equal(await provider.getTransactionCount(alice.address, 'latest'), await provider.getTransactionCount(alice.address, 'pending'));
});

test('ethers: a too-low nonce and an unfunded sender are refused with errors ethers recognizes', async () => {
  const fee = await provider.getFeeData();
  const fixed = { gasLimit: 21000n, maxFeePerGas: fee.maxFeePerGas, maxPriorityFeePerGas: fee.maxPriorityFeePerGas, type: 2, chainId: 7777n };
  // Nonce 0 of an account that deployed the token: eth_sendRawTransaction says "nonce too low".
  const low = await alice.sendTransaction({ ...fixed, to: bob.address, value: 1n, nonce: 0 }).then(() => null, (e) => e);
  assert.ok(low, 'a transaction with a used nonce was accepted');
  assert.equal(low.code, 'NONCE_EXPIRED', `want NONCE_EXPIRED (a "nonce too low" message): ${low.message}`);
  // A fresh account has nothing to pay with: "insufficient funds".
  const poor = Wallet.createRandom().connect(provider);
  const broke = await poor.sendTransaction({ ...fixed, to: bob.address, value: 1n, nonce: 0 }).then(() => null, (e) => e);
  assert.ok(broke, 'a transaction from an unfunded account was accepted');
  assert.equal(broke.code, 'INSUFFICIENT_FUNDS', `want INSUFFICIENT_FUNDS (an "insufficient funds" message): ${broke.message}`);
});

test('ethers: block tags, JSON-RPC batches, unknown hashes', async () => {
  const latest = await provider.getBlock('latest');
  for (const tag of ['safe', 'finalized']) {
    const block = await provider.getBlock(tag);
    assert.ok(block, `no ${tag} block`);
    assert.ok(block.number <= (await provider.getBlockNumber()), `${tag} block ${block.number} is ahead of latest`);
    // Cairn finalizes every block it commits: safe and finalized are the
    // latest block (Anvil lets them lag behind).
    if (TARGET === 'cairn') assert.ok(block.number >= latest.number, `${tag} block ${block.number} lags latest ${latest.number}`);
  }
  const pending = await provider.getBlock('pending');
  assert.ok(pending === null || pending.number >= latest.number, `pending block ${pending?.number}`);
  assert.equal((await provider.getBlock(latest.hash)).number, latest.number);
  assert.equal((await provider.getBlock(0)).number, 0);

  // One HTTP request with three calls answers three responses by id.
  const res = await fetch(RPC_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify([
      { jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] },
      { jsonrpc: '2.0', id: 2, method: 'eth_getBalance', params: [alice.address, 'latest'] },
      { jsonrpc: '2.0', id: 3, method: 'no_such_method', params: [] },
    ]),
  });
  const batch = await res.json();
  assert.ok(Array.isArray(batch), JSON.stringify(batch));
  const byId = Object.fromEntries(batch.map((r) => [r.id, r]));
  assert.equal(byId[1].result, '0x1e61');
  assert.ok(BigInt(byId[2].result) > 0n);
  assert.equal(byId[3].error?.code, -32601, JSON.stringify(byId[3]));

  const unknown = '0x' + '11'.repeat(32);
  assert.equal(await provider.getTransaction(unknown), null);
  assert.equal(await provider.getTransactionReceipt(unknown), null);
  assert.equal(await provider.getBlock(unknown), null);
});

test('ethers: transactions sent back to back take their nonces from the pending count', async () => {
  const to = Wallet.createRandom().address;
  // Each send asks eth_getTransactionCount(…, "pending"): the node must count
  // the sender's transactions still in the mempool. (A provider without
  // ethers' 250 ms cache of identical requests, which would hand every send
  // the same count.)
  const uncached = new JsonRpcProvider(RPC_URL, CHAIN_ID, { staticNetwork: true, pollingInterval: 200, cacheTimeout: -1 });
  const sender = alice.connect(uncached);
  const start = await uncached.getTransactionCount(alice.address, 'pending');
  const sent = [];
  let receipts;
  try {
    for (let i = 0; i < 3; i++) sent.push(await sender.sendTransaction({ to, value: 1000n + BigInt(i) }));
    assert.deepEqual(sent.map((t) => t.nonce), [start, start + 1, start + 2]);
    receipts = await Promise.all(sent.map((t) => mined(t)));
  } finally {
    uncached.destroy();
  }
  assert.ok(receipts.every((r) => r.status === 1));
  assert.equal(await provider.getBalance(to), 3003n);
  assert.equal(await provider.getTransactionCount(alice.address, 'latest'), start + 3);
});
