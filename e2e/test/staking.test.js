// Cairn's native staking contract (docs/STAKING.md) from ethers v6, through
// its published ABI: delegate to the devnet's validator from dev account 1,
// read it back with the views, find the Delegated event by filter, undelegate
// part, and see a refused call revert with a decodable reason. Skipped on
// Anvil, which has no staking contract.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Contract, ContractFactory, JsonRpcProvider, Wallet, parseEther } from 'ethers';
import {
  RPC_URL, CHAIN_ID, DEV_KEYS, TARGET, STAKING_ADDRESS, STAKING_ABI, DEVNET_VALIDATOR, artifacts, within,
} from '../lib/env.js';

const WAIT_MS = 30_000;
const STAKE = parseEther('1000');
const UNSTAKE = parseEther('400');

const skip = TARGET !== 'cairn' && `${TARGET} has no staking contract`;

describe('staking contract from ethers', () => {
  let provider;
  let delegator; // dev account 1
  let staking;
  let delegated; // the delegate transaction's receipt

  async function mined(tx) {
    const receipt = await within(WAIT_MS, `the receipt of ${tx.hash}`, tx.wait());
    assert.equal(receipt.status, 1, `transaction ${tx.hash} failed`);
    return receipt;
  }

  before(() => {
    provider = new JsonRpcProvider(RPC_URL, CHAIN_ID, { staticNetwork: true, pollingInterval: 200 });
    delegator = new Wallet(DEV_KEYS[1], provider);
    staking = new Contract(STAKING_ADDRESS, STAKING_ABI, delegator);
  });

  after(() => provider?.destroy());

  test('the devnet validator is listed by the views', { skip }, async () => {
    const v = await staking.validator(DEVNET_VALIDATOR);
    assert.equal(v.operator, DEVNET_VALIDATOR);
    assert.equal(v.status, 1n, `status ${v.status}, want 1 (active)`);
    assert.ok(v.tokens > 0n);
    const all = await staking.validators();
    assert.ok(all.some((x) => x.operator === DEVNET_VALIDATOR));
  });

  test('delegate 1000 CRN; delegation() reads it back; Delegated by filter', { skip }, async () => {
    const [had] = await staking.delegation(delegator.address, DEVNET_VALIDATOR);
    const balanceBefore = await provider.getBalance(delegator.address);
    delegated = await mined(await staking.delegate(DEVNET_VALIDATOR, { value: STAKE }));

    const [amount, shares] = await staking.delegation(delegator.address, DEVNET_VALIDATOR);
    assert.equal(amount, had + STAKE);
    assert.ok(shares > 0n);
    const fee = delegated.gasUsed * delegated.gasPrice;
    assert.equal(await provider.getBalance(delegator.address, delegated.blockNumber), balanceBefore - STAKE - fee);

    const events = await staking.queryFilter(staking.filters.Delegated(delegator.address, DEVNET_VALIDATOR), delegated.blockNumber, 'latest');
    const ev = events.find((e) => e.transactionHash === delegated.hash);
    assert.ok(ev, `no Delegated event of ${delegated.hash} by filter: ${JSON.stringify(events.map((e) => e.transactionHash))}`);
    assert.equal(ev.args.delegator, delegator.address);
    assert.equal(ev.args.validator, DEVNET_VALIDATOR);
    assert.equal(ev.args.amount, STAKE);
    assert.ok(ev.args.shares > 0n);
    assert.equal(ev.address, STAKING_ADDRESS);

    const fromReceipt = delegated.logs.map((l) => staking.interface.parseLog(l)).filter(Boolean);
    assert.deepEqual(fromReceipt.map((e) => e.name), ['Delegated']);

    const list = await staking.delegations(delegator.address);
    const mine = list.find((d) => d.validator === DEVNET_VALIDATOR);
    assert.ok(mine, 'delegations() lacks the delegation');
    assert.equal(mine.amount, amount);
  });

  test('undelegating more than is delegated reverts with a reason, from eth_call and eth_estimateGas', { skip }, async () => {
    assert.ok(delegated, 'the delegation did not happen');
    const [amount] = await staking.delegation(delegator.address, DEVNET_VALIDATOR);
    const tooMuch = amount + parseEther('1');

    const callErr = await staking.undelegate.staticCall(DEVNET_VALIDATOR, tooMuch).then(() => null, (e) => e);
    assert.ok(callErr, 'eth_call of undelegate(too much) did not revert');
    assert.equal(callErr.code, 'CALL_EXCEPTION', callErr.message);
    assert.match(callErr.reason ?? '', /exceeds/, `reason not decoded: ${callErr.message} data=${callErr.data}`);

    const estErr = await staking.undelegate.estimateGas(DEVNET_VALIDATOR, tooMuch).then(() => null, (e) => e);
    assert.ok(estErr, 'eth_estimateGas of undelegate(too much) did not revert');
    assert.equal(estErr.code, 'CALL_EXCEPTION', estErr.message);
    assert.match(estErr.reason ?? '', /exceeds/, `reason not decoded: ${estErr.message} data=${estErr.data}`);

    // Value sent to a method that takes none is refused too.
    const valueErr = await staking.undelegate.estimateGas(DEVNET_VALIDATOR, 1n, { value: 1n }).then(() => null, (e) => e);
    assert.ok(valueErr, 'estimateGas of undelegate with value did not revert');
    assert.ok(valueErr.reason, `no reason: ${valueErr.message}`);
  });

  test('undelegate 400 CRN: Undelegated event, the delegation shrinks, an unbonding appears', { skip }, async () => {
    assert.ok(delegated, 'the delegation did not happen');
    const [had] = await staking.delegation(delegator.address, DEVNET_VALIDATOR);
    const receipt = await mined(await staking.undelegate(DEVNET_VALIDATOR, UNSTAKE));
    const [left] = await staking.delegation(delegator.address, DEVNET_VALIDATOR);
    assert.equal(left, had - UNSTAKE);

    const events = await staking.queryFilter(staking.filters.Undelegated(delegator.address), receipt.blockNumber, receipt.blockNumber);
    assert.equal(events.length, 1);
    assert.equal(events[0].args.amount, UNSTAKE);
    const unbondings = await staking.unbondings(delegator.address);
    const entry = unbondings.find((u) => u.kind === 1n && u.validator === DEVNET_VALIDATOR);
    assert.ok(entry, 'unbondings() lacks the entry');
    assert.equal(entry.amount, UNSTAKE);
    assert.equal(entry.completionTime, events[0].args.completionTime);
  });

  let via; // StakeVia, deployed by the first of these two tests

  test('a Solidity contract reads delegation() through the IStaking interface', { skip }, async () => {
    const { abi, bytecode } = artifacts().StakeVia;
    via = await new ContractFactory(abi, bytecode, delegator).deploy();
    await mined(via.deploymentTransaction());
    // A call that returns data: no code check, the staking contract answers.
    assert.equal(await via.staked(DEVNET_VALIDATOR), 0n);
  });

  // Solidity checks extcodesize before calling delegate() (a function that
  // returns nothing): the staking address holds marker code from genesis for
  // that; without it the call reverts with no data.
  test('a Solidity contract delegates through the IStaking interface', { skip }, async () => {
    assert.ok(via, 'StakeVia was not deployed');
    const viaAddress = await via.getAddress();
    const code = await provider.getCode(STAKING_ADDRESS);
    assert.notEqual(code, '0x', 'the staking address has no code');
    const value = parseEther('10');
    const stakeErr = await via.stake.estimateGas(DEVNET_VALIDATOR, { value }).then(() => null, (e) => e);
    assert.equal(stakeErr, null,
      `StakeVia.stake reverted (eth_getCode(staking) = ${code}): ${stakeErr?.shortMessage ?? stakeErr?.message} data=${stakeErr?.data}`);
    const receipt = await mined(await via.stake(DEVNET_VALIDATOR, { value }));
    assert.equal(await via.staked(DEVNET_VALIDATOR), value);
    const [amount] = await staking.delegation(viaAddress, DEVNET_VALIDATOR);
    assert.equal(amount, value);
    const events = await staking.queryFilter(staking.filters.Delegated(viaAddress, DEVNET_VALIDATOR), receipt.blockNumber, receipt.blockNumber);
    assert.equal(events.length, 1);
    assert.equal(events[0].args.amount, value);
  });
});
