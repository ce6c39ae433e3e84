package ethrpc

import (
	"testing"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"
)

func TestWeb3AndNet(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.PeerCount = func() int { return 3 } })
	var version string
	if err := f.call(&version, "web3_clientVersion"); err != nil || version != "Cairn/test" {
		t.Fatalf("web3_clientVersion = %q, %v", version, err)
	}
	var hash hexutil.Bytes
	if err := f.call(&hash, "web3_sha3", "0x68656c6c6f"); err != nil {
		t.Fatal(err)
	}
	if want := crypto.Keccak256([]byte("hello")); string(hash) != string(want) {
		t.Fatalf("web3_sha3 = %x, want %x", hash, want)
	}
	wantCode(t, f.call(nil, "web3_sha3", "0xzz"), codeInvalidParams)
	var netVersion string
	if err := f.call(&netVersion, "net_version"); err != nil || netVersion != "7777" {
		t.Fatalf("net_version = %q, %v", netVersion, err)
	}
	var listening bool
	if err := f.call(&listening, "net_listening"); err != nil || !listening {
		t.Fatalf("net_listening = %v, %v", listening, err)
	}
	var peers hexutil.Uint
	if err := f.call(&peers, "net_peerCount"); err != nil || peers != 3 {
		t.Fatalf("net_peerCount = %d, %v", peers, err)
	}
}

func TestChainIDBlockNumberSyncingAccounts(t *testing.T) {
	f := newFixture(t, func(c *Config) {
		c.Syncing = func() *SyncStatus { return &SyncStatus{Starting: 1, Current: 5, Highest: 9} }
	})
	var id hexutil.Big
	if err := f.call(&id, "eth_chainId"); err != nil || id.ToInt().Int64() != 7777 {
		t.Fatalf("eth_chainId = %v, %v", id.ToInt(), err)
	}
	f.produce()
	f.produce()
	var n hexutil.Uint64
	if err := f.call(&n, "eth_blockNumber"); err != nil || n != 2 {
		t.Fatalf("eth_blockNumber = %d, %v", n, err)
	}
	sync := f.object("eth_syncing")
	if sync["startingBlock"] != "0x1" || sync["currentBlock"] != "0x5" || sync["highestBlock"] != "0x9" {
		t.Fatalf("eth_syncing = %v", sync)
	}
	if got := string(f.raw("eth_accounts")); got != "[]" {
		t.Fatalf("eth_accounts = %s, want []", got)
	}
	g := newFixture(t)
	if got := string(g.raw("eth_syncing")); got != "false" {
		t.Fatalf("eth_syncing when not syncing = %s, want false", got)
	}
}
