// web3.js v4 against the node: a value transfer and its receipt, and an
// ERC-20 deployed, transferred and read through web3.eth.Contract.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Web3, WebSocketProvider } from 'web3';
import { RPC_URL, WS_URL, CHAIN_ID, DEV_KEYS, artifacts, within } from '../lib/env.js';

const web3 = new Web3(RPC_URL);
web3.setConfig({
  transactionPollingInterval: 200,
  transactionReceiptPollingInterval: 200,
  transactionPollingTimeout: 30_000,
  transactionBlockTimeout: 30,
});
const sender = web3.eth.accounts.wallet.add(DEV_KEYS[6])[0];

test('web3: chain id, a transfer and its receipt', async () => {
  assert.equal(await web3.eth.getChainId(), BigInt(CHAIN_ID));
  const to = web3.eth.accounts.create().address;
  const value = web3.utils.toWei('1.5', 'ether');
  const receipt = await web3.eth.sendTransaction({ from: sender.address, to, value });
  assert.equal(receipt.status, 1n);
  assert.equal(receipt.from, sender.address.toLowerCase());
  assert.equal(receipt.to, to.toLowerCase());
  assert.equal(receipt.gasUsed, 21000n);

  const again = await web3.eth.getTransactionReceipt(receipt.transactionHash);
  assert.equal(again.transactionHash, receipt.transactionHash);
  assert.equal(again.blockHash, receipt.blockHash);
  assert.equal(again.blockNumber, receipt.blockNumber);
  assert.equal(again.status, 1n);
  assert.equal(await web3.eth.getBalance(to), BigInt(value));

  const tx = await web3.eth.getTransaction(receipt.transactionHash);
  assert.equal(tx.value, BigInt(value));
  assert.equal(tx.blockNumber, receipt.blockNumber);
  const block = await web3.eth.getBlock(receipt.blockNumber);
  assert.ok(block.transactions.includes(receipt.transactionHash));
});

const { abi, bytecode } = artifacts().CairnToken;
const supply = 10n ** 24n;
let token;

test('web3: an ERC-20 through web3.eth.Contract', async () => {
  token = await new web3.eth.Contract(abi).deploy({ data: bytecode, arguments: [supply] }).send({ from: sender.address });
  assert.ok(token.options.address, 'no contract address');
  const to = web3.eth.accounts.create().address;
  const receipt = await token.methods.transfer(to, 5000n).send({ from: sender.address });
  assert.equal(receipt.status, 1n);
  assert.equal(receipt.events.Transfer.returnValues.value, 5000n);
  assert.equal(await token.methods.balanceOf(to).call(), 5000n);
  assert.equal(await token.methods.balanceOf(sender.address).call(), (await token.methods.totalSupply().call()) - 5000n);
  const events = await token.getPastEvents('Transfer', { filter: { to }, fromBlock: receipt.blockNumber, toBlock: 'latest' });
  assert.equal(events.length, 1);
  assert.equal(events[0].transactionHash, receipt.transactionHash);
});

test('web3: newBlockHeaders and contract events over WebSocket', async () => {
  assert.ok(token, 'the token was not deployed');
  // Without autoReconnect: web3's reconnect timer would keep the process alive after disconnect().
  const ws = new Web3(new WebSocketProvider(WS_URL, {}, { autoReconnect: false }));
  try {
    const heads = await ws.eth.subscribe('newBlockHeaders');
    const twoHeads = new Promise((resolve, reject) => {
      const seen = [];
      heads.on('data', (h) => {
        seen.push(h);
        if (seen.length === 2) resolve(seen);
      });
      heads.on('error', reject);
    });
    const to = web3.eth.accounts.create().address;
    const wsToken = new ws.eth.Contract(abi, token.options.address);
    const events = wsToken.events.Transfer({ filter: { to } });
    const gotEvent = new Promise((resolve, reject) => {
      events.on('data', resolve);
      events.on('error', reject);
    });
    const seen = await within(30_000, 'two newBlockHeaders over WebSocket', twoHeads);
    assert.equal(BigInt(seen[1].number), BigInt(seen[0].number) + 1n);
    assert.equal(seen[1].parentHash, seen[0].hash);
    const receipt = await token.methods.transfer(to, 42n).send({ from: sender.address });
    const ev = await within(30_000, 'the Transfer event over WebSocket', gotEvent);
    assert.equal(ev.transactionHash, receipt.transactionHash);
    assert.equal(ev.returnValues.value, 42n);
  } finally {
    await ws.eth.clearSubscriptions();
    ws.currentProvider.disconnect();
  }
});
