package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"cairn/chain"
	"cairn/node"
	"cairn/node/atomicfile"
	"cairn/node/p2p"

	"github.com/ethereum/go-ethereum/common"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/multiformats/go-multiaddr"
)

// devnetOptions say what `cairn devnet init` writes.
type devnetOptions struct {
	nodes       int
	baseAPIPort int
	baseP2PPort int
	blockTime   time.Duration // genesis block interval; 0 keeps the devnet's
	logLevel    string
}

// devnetNode is one validator's home of a local devnet.
type devnetNode struct {
	Name      string
	Home      string
	Validator common.Address
	API       string // host:port
	P2P       string // TCP multiaddr with /p2p/<id>: what the others dial
	Log       string
	key       ed25519.PublicKey // its consensus key, when read back from its home
}

// devnet is a local network's directory: DIR/genesis.json and one home
// per validator, DIR/node1 … DIR/nodeN.
type devnet struct {
	Dir     string
	Genesis *chain.Genesis
	Nodes   []devnetNode
}

// devnetNodeName is the name and home directory of the i-th node (from 1).
func devnetNodeName(i int) string { return "node" + strconv.Itoa(i) }

// devnetLogName is the file each node of `cairn devnet` logs to.
const devnetLogName = "node.log"

// devnetStake is the i-th (from 0) of n validators' stake: 2n-i units of
// 100,000 CRN. The largest is below a third of the total from n = 4 on,
// so any one validator down leaves more than two thirds of the power.
func devnetStake(i, n int) *big.Int {
	return chain.CRN(int64(2*n-i) * 100_000)
}

// devnetExists says whether dir already holds a devnet (or part of one).
func devnetExists(dir string) bool {
	for _, p := range []string{filepath.Join(dir, "genesis.json"), filepath.Join(dir, devnetNodeName(1))} {
		if _, err := os.Stat(p); err == nil {
			return true
		}
	}
	return false
}

// writeDevnet creates the devnet in dir: for each node a home with a new
// validator key and node key (mode 0600), the shared genesis and a
// config.toml whose bootstrap list names every other node. On error it
// removes what it wrote.
func writeDevnet(dir string, o devnetOptions) (_ *devnet, err error) {
	if o.nodes < 1 || o.nodes > 100 {
		return nil, usageErr("-n %d: want 1 to 100 nodes", o.nodes)
	}
	for _, p := range []struct {
		name string
		base int
	}{{"--base-api-port", o.baseAPIPort}, {"--base-p2p-port", o.baseP2PPort}} {
		if p.base < 1 || p.base+o.nodes-1 > 65535 {
			return nil, usageErr("%s %d: the ports %d to %d must be within 1 to 65535", p.name, p.base, p.base, p.base+o.nodes-1)
		}
	}
	if o.baseAPIPort <= o.baseP2PPort+o.nodes-1 && o.baseP2PPort <= o.baseAPIPort+o.nodes-1 {
		return nil, usageErr("the API ports from %d and the P2P ports from %d overlap", o.baseAPIPort, o.baseP2PPort)
	}
	if o.blockTime < 0 || o.blockTime > 0 && o.blockTime < time.Millisecond {
		return nil, usageErr("--block-time %v: want at least 1ms", o.blockTime)
	}
	if devnetExists(dir) {
		return nil, fmt.Errorf("%s already holds a devnet: run `cairn devnet --home %s` to restart it, or remove it first", dir, dir)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	defer func() {
		if err != nil {
			os.Remove(filepath.Join(dir, "genesis.json"))
			for i := 1; i <= o.nodes; i++ {
				os.RemoveAll(filepath.Join(dir, devnetNodeName(i)))
			}
		}
	}()

	g := chain.Devnet() // the devnet's chain ID, parameters and funded accounts
	g.Time = uint64(time.Now().UnixMilli())
	if o.blockTime > 0 {
		g.Params.BlockTimeMs = uint64(o.blockTime.Milliseconds())
	}
	g.Validators = nil
	d := &devnet{Dir: dir, Genesis: g}
	ids := make([]peer.ID, o.nodes)
	for i := range o.nodes {
		n := devnetNode{Name: devnetNodeName(i + 1), Home: filepath.Join(dir, devnetNodeName(i+1))}
		if err := os.Mkdir(n.Home, 0o700); err != nil {
			return nil, fmt.Errorf("create %s: %w", n.Home, err)
		}
		_, key, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("generate validator key: %w", err)
		}
		if err := node.SaveValidatorKey(node.ValidatorKeyPath(n.Home), key); err != nil {
			return nil, err
		}
		if _, ids[i], err = p2p.LoadOrCreateIdentity(node.NodeKeyPath(n.Home)); err != nil {
			return nil, err
		}
		pub := key.Public().(ed25519.PublicKey)
		v := chain.GenesisValidator{PubKey: []byte(pub), Stake: chain.NewBigInt(devnetStake(i, o.nodes)), Name: n.Name}
		if i < len(chain.DevnetAccounts) {
			// A devnet account operates it: its keys are public, so
			// anyone can claim its commission or unjail it.
			v.Address = chain.DevnetAccounts[i]
		}
		g.Validators = append(g.Validators, v)
		n.Validator = v.OperatorAddress()
		n.API = net.JoinHostPort("127.0.0.1", strconv.Itoa(o.baseAPIPort+i))
		n.P2P = p2p.LocalListen(o.baseP2PPort + i)[0] + "/p2p/" + ids[i].String()
		n.Log = filepath.Join(n.Home, devnetLogName)
		d.Nodes = append(d.Nodes, n)
	}
	if err := g.Validate(); err != nil {
		return nil, err
	}
	data, err := g.Marshal()
	if err != nil {
		return nil, fmt.Errorf("encode genesis: %w", err)
	}
	data = append(data, '\n')
	if err := atomicfile.Write(filepath.Join(dir, "genesis.json"), data, 0o644); err != nil {
		return nil, err
	}
	for i, n := range d.Nodes {
		if err := atomicfile.Write(node.GenesisPath(n.Home), data, 0o644); err != nil {
			return nil, err
		}
		var bootstrap []string
		for j, other := range d.Nodes {
			if j != i {
				bootstrap = append(bootstrap, other.P2P)
			}
		}
		api, level, enabled, listen := n.API, o.logLevel, true, p2p.LocalListen(o.baseP2PPort+i)
		fc := &fileConfig{API: &api, LogLevel: &level, P2P: fileP2P{Enabled: &enabled, Listen: &listen, Bootstrap: &bootstrap}}
		title := fmt.Sprintf("Settings of %s, validator %d of %d of the devnet in %s, written by `cairn devnet init`.", n.Name, i+1, len(d.Nodes), dir)
		if err := atomicfile.Write(node.ConfigPath(n.Home), encodeConfigFile(title, fc), 0o644); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// loadDevnet reads the devnet `cairn devnet init` wrote in dir: its
// genesis, and each node's validator address, API and P2P address from
// the files in its home.
func loadDevnet(dir string) (*devnet, error) {
	gpath := filepath.Join(dir, "genesis.json")
	want, err := os.ReadFile(gpath)
	if err != nil {
		return nil, fmt.Errorf("%s is not a devnet written by `cairn devnet init`: %w", dir, err)
	}
	g, err := chain.ParseGenesis(want)
	if err != nil {
		return nil, fmt.Errorf("genesis %s: %w", gpath, err)
	}
	d := &devnet{Dir: dir, Genesis: g}
	for i := range g.Validators {
		n, err := loadDevnetNode(dir, i+1, want)
		if err != nil {
			return nil, err
		}
		n.Validator = operatorOf(g, n.key)
		d.Nodes = append(d.Nodes, n)
	}
	return d, nil
}

// loadDevnetNode reads the home of the k-th node (from 1) of the devnet in
// dir, whose genesis file holds genesis.
func loadDevnetNode(dir string, k int, genesis []byte) (devnetNode, error) {
	n := devnetNode{Name: devnetNodeName(k), Home: filepath.Join(dir, devnetNodeName(k))}
	n.Log = filepath.Join(n.Home, devnetLogName)
	got, err := os.ReadFile(node.GenesisPath(n.Home))
	if err != nil {
		return n, fmt.Errorf("devnet %s: %w", n.Name, err)
	}
	if !bytes.Equal(got, genesis) {
		return n, fmt.Errorf("devnet %s: %s differs from %s", n.Name, node.GenesisPath(n.Home), filepath.Join(dir, "genesis.json"))
	}
	key, err := node.LoadValidatorKey(node.ValidatorKeyPath(n.Home))
	if err != nil {
		return n, fmt.Errorf("devnet %s: %w", n.Name, err)
	}
	n.key = key.Public().(ed25519.PublicKey)
	if _, err := os.Stat(node.NodeKeyPath(n.Home)); errors.Is(err, fs.ErrNotExist) {
		return n, fmt.Errorf("devnet %s: no node key %s: the other nodes' bootstrap lists name the lost one", n.Name, node.NodeKeyPath(n.Home))
	}
	_, id, err := p2p.LoadOrCreateIdentity(node.NodeKeyPath(n.Home))
	if err != nil {
		return n, fmt.Errorf("devnet %s: %w", n.Name, err)
	}
	fc, err := loadConfigFile(node.ConfigPath(n.Home))
	if err != nil {
		return n, fmt.Errorf("devnet %s: %w", n.Name, err)
	}
	n.API = node.DefaultAPIAddr
	if fc.API != nil {
		n.API = *fc.API
	}
	n.P2P = "none"
	if fc.P2P.Listen != nil && len(*fc.P2P.Listen) > 0 {
		n.P2P = (*fc.P2P.Listen)[0] + "/p2p/" + id.String()
	}
	return n, nil
}

// tcpPort is the TCP port of a multiaddr or host:port, 0 if it has none.
func tcpPort(addr string) int {
	if _, port, err := net.SplitHostPort(addr); err == nil {
		p, _ := strconv.Atoi(port)
		return p
	}
	ma, err := multiaddr.NewMultiaddr(addr)
	if err != nil {
		return 0
	}
	port, err := ma.ValueForProtocol(multiaddr.P_TCP)
	if err != nil {
		return 0
	}
	p, _ := strconv.Atoi(port)
	return p
}

// checkPortsFree fails if another program holds a node's API or P2P TCP
// port, before any node starts and fails on it.
func (d *devnet) checkPortsFree() error {
	for _, n := range d.Nodes {
		for _, a := range []struct{ what, addr string }{{"API", n.API}, {"P2P", n.P2P}} {
			port := tcpPort(a.addr)
			if port == 0 {
				continue
			}
			ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
			if err != nil {
				return fmt.Errorf("%s's %s port %d is in use: stop what holds it, or write a devnet elsewhere with other --base-api-port/--base-p2p-port", n.Name, a.what, port)
			}
			ln.Close()
		}
	}
	return nil
}

// operatorOf is the operator of the genesis validator with consensus key
// pub (the zero address if there is none).
func operatorOf(g *chain.Genesis, pub ed25519.PublicKey) common.Address {
	for _, v := range g.Validators {
		if pub.Equal(ed25519.PublicKey(v.PubKey)) {
			return v.OperatorAddress()
		}
	}
	return common.Address{}
}
