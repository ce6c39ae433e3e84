package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"cairn/chain"
	"cairn/node"
	"cairn/node/p2p"

	"github.com/BurntSushi/toml"
	"github.com/spf13/cobra"
)

// testNodeConfig parses args as the node command's flags and returns the
// configuration they and <home>/config.toml give.
func testNodeConfig(t *testing.T, args ...string) (node.Config, error) {
	t.Helper()
	return testFlagsConfig(t, &nodeFlags{}, args...)
}

// testFlagsConfig registers f on a new command, parses args and returns
// f's configuration.
func testFlagsConfig(t *testing.T, f *nodeFlags, args ...string) (node.Config, error) {
	t.Helper()
	cmd := &cobra.Command{Use: "node"}
	f.register(cmd)
	if err := cmd.ParseFlags(args); err != nil {
		t.Fatalf("parse %q: %v", args, err)
	}
	return f.config()
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// testPeerAddr is a loopback multiaddr of a new peer identity.
func testPeerAddr(t *testing.T, port int) string {
	t.Helper()
	_, id, err := p2p.LoadOrCreateIdentity(filepath.Join(t.TempDir(), "node_key"))
	if err != nil {
		t.Fatal(err)
	}
	return p2p.LocalListen(port)[0] + "/p2p/" + id.String()
}

func TestConfigFileFlagsOverride(t *testing.T) {
	home := t.TempDir()
	fileBoot, flagBoot := testPeerAddr(t, 4001), testPeerAddr(t, 4002)
	writeFile(t, node.ConfigPath(home), `
api = "127.0.0.1:9999"
block_time = "250ms"
log_level = "debug"

[p2p]
listen = ["/ip4/127.0.0.1/tcp/4100", "/ip4/127.0.0.1/udp/4100/quic-v1"]
bootstrap = ["`+fileBoot+`"]
mdns = true
no_dht = true
low_water = 5
high_water = 10
`)
	cfg, err := testNodeConfig(t, "--devnet", "--home", home, "--api", "127.0.0.1:7000", "--bootstrap", flagBoot)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.APIAddr != "127.0.0.1:7000" {
		t.Errorf("api %q: the flag must win over the file", cfg.APIAddr)
	}
	if cfg.BlockTime != 250*time.Millisecond {
		t.Errorf("block time %v, want the file's 250ms", cfg.BlockTime)
	}
	if !cfg.Logger.Enabled(t.Context(), slog.LevelDebug) {
		t.Error("log_level = debug from the file not applied")
	}
	pc := cfg.P2P
	if pc == nil {
		t.Fatal("the devnet with a [p2p] table in config.toml runs without networking")
	}
	if !slices.Equal(pc.Listen, []string{"/ip4/127.0.0.1/tcp/4100", "/ip4/127.0.0.1/udp/4100/quic-v1"}) {
		t.Errorf("listen %q, want the file's", pc.Listen)
	}
	if !slices.Equal(pc.Bootstrap, []string{flagBoot}) {
		t.Errorf("bootstrap %q, want only the flag's", pc.Bootstrap)
	}
	if !pc.MDNS || !pc.NoDHT || pc.LowWater != 5 || pc.HighWater != 10 {
		t.Errorf("p2p %+v: mdns, no_dht, low_water, high_water from the file not applied", pc)
	}

	// --log-level and --block-time given override too, even to their defaults.
	cfg, err = testNodeConfig(t, "--devnet", "--home", home, "--log-level", "info", "--block-time", "0", "--mdns=false")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Logger.Enabled(t.Context(), slog.LevelDebug) || cfg.BlockTime != 0 || cfg.P2P.MDNS {
		t.Errorf("flags given as their defaults did not override the file: debug %v, block time %v, mdns %v",
			cfg.Logger.Enabled(t.Context(), slog.LevelDebug), cfg.BlockTime, cfg.P2P.MDNS)
	}
}

func TestConfigFileUnknownKeys(t *testing.T) {
	home := t.TempDir()
	writeFile(t, node.ConfigPath(home), "apii = \"x\"\n[p2p]\nlisten_addrs = []\n")
	_, err := testNodeConfig(t, "--devnet", "--home", home)
	if err == nil || !strings.Contains(err.Error(), "apii") || !strings.Contains(err.Error(), "p2p.listen_addrs") {
		t.Fatalf("unknown keys: %v; want an error naming apii and p2p.listen_addrs", err)
	}
	writeFile(t, node.ConfigPath(home), "api = 12\n")
	if _, err := testNodeConfig(t, "--devnet", "--home", home); err == nil || !strings.Contains(err.Error(), "config.toml") {
		t.Fatalf("wrong type: %v; want an error naming the file", err)
	}
}

func TestConfigFileMissingIsFine(t *testing.T) {
	cfg, err := testNodeConfig(t, "--devnet", "--home", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.APIAddr != node.DefaultAPIAddr || cfg.P2P != nil || cfg.Genesis.ChainID != chain.DevnetChainID {
		t.Fatalf("devnet without config.toml: api %q, p2p %+v; want the defaults and no network", cfg.APIAddr, cfg.P2P)
	}
	if !cfg.ValidatorKey.Equal(chain.DevnetValidatorKey()) {
		t.Fatal("the devnet without a key file does not use its public validator key")
	}
}

func TestNodeNetworkChoice(t *testing.T) {
	home := t.TempDir() // a real chain's home: a genesis, no devnet
	data, err := chain.Devnet().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, node.GenesisPath(home), string(data))
	boot := testPeerAddr(t, 4003)
	cases := []struct {
		name   string
		file   string
		args   []string
		listen []string // nil: no network
	}{
		{"real network default", "", nil, p2p.DefaultListen},
		{"--no-p2p", "", []string{"--no-p2p"}, nil},
		{"--p2p empty", "", []string{"--p2p", ""}, nil},
		{"--p2p given", "", []string{"--p2p", "/ip4/127.0.0.1/tcp/5000"}, []string{"/ip4/127.0.0.1/tcp/5000"}},
		{"file enabled = false", "[p2p]\nenabled = false\n", nil, nil},
		{"file listen = []", "[p2p]\nlisten = []\n", nil, nil},
		{"flag --p2p over file enabled = false", "[p2p]\nenabled = false\n", []string{"--p2p", "/ip4/127.0.0.1/tcp/5001"}, []string{"/ip4/127.0.0.1/tcp/5001"}},
		{"--no-p2p=false over file enabled = false", "[p2p]\nenabled = false\n", []string{"--no-p2p=false"}, p2p.DefaultListen},
		{"devnet alone", "", []string{"--devnet"}, nil},
		{"devnet with a peer", "", []string{"--devnet", "--bootstrap", boot}, p2p.LocalListen(p2p.DefaultPort)},
		{"devnet with mdns", "", []string{"--devnet", "--mdns"}, p2p.LocalListen(p2p.DefaultPort)},
		{"devnet file enabled", "[p2p]\nenabled = true\n", []string{"--devnet"}, p2p.LocalListen(p2p.DefaultPort)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			writeFile(t, node.ConfigPath(home), tc.file)
			cfg, err := testNodeConfig(t, append([]string{"--home", home}, tc.args...)...)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tc.listen == nil && cfg.P2P != nil:
				t.Fatalf("networking on (%+v), want off", cfg.P2P)
			case tc.listen != nil && cfg.P2P == nil:
				t.Fatal("networking off, want on")
			case tc.listen != nil && !slices.Equal(cfg.P2P.Listen, tc.listen):
				t.Fatalf("listen %q, want %q", cfg.P2P.Listen, tc.listen)
			}
		})
	}
	writeFile(t, node.ConfigPath(home), "")
	for _, args := range [][]string{
		{"--p2p", "127.0.0.1:30333"},
		{"--bootstrap", "/ip4/127.0.0.1/tcp/30333"},
		{"--no-p2p", "--p2p", "/ip4/127.0.0.1/tcp/30333"},
	} {
		if _, err := testNodeConfig(t, append([]string{"--home", home}, args...)...); err == nil {
			t.Errorf("%q accepted", args)
		}
	}
}

func TestConfigFilePaths(t *testing.T) {
	home := t.TempDir()
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	if err := node.SaveValidatorKey(filepath.Join(home, "keys", "v.json"), key); err != nil {
		t.Fatal(err)
	}
	g := chain.Devnet()
	g.ChainID = 4242
	data, _ := g.Marshal()
	writeFile(t, filepath.Join(home, "g.json"), string(data))
	writeFile(t, node.ConfigPath(home), "genesis = \"g.json\"\nvalidator_key = \"keys/v.json\"\n")
	cfg, err := testNodeConfig(t, "--home", home, "--no-p2p")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Genesis.ChainID != 4242 || !cfg.ValidatorKey.Equal(key) {
		t.Fatalf("chain %d, key from the file %v: want the files config.toml names, relative to home", cfg.Genesis.ChainID, cfg.ValidatorKey.Equal(key))
	}
	// --devnet on the command line wins over the file's genesis.
	if cfg, err := testNodeConfig(t, "--home", home, "--devnet"); err != nil || cfg.Genesis.ChainID != chain.DevnetChainID {
		t.Fatalf("--devnet over the file's genesis: %v", err)
	}
	// A key file named but missing is an error, not a follower.
	writeFile(t, node.ConfigPath(home), "genesis = \"g.json\"\nvalidator_key = \"missing.json\"\n")
	if _, err := testNodeConfig(t, "--home", home, "--no-p2p"); err == nil || !strings.Contains(err.Error(), "missing.json") {
		t.Fatalf("missing named validator key: %v", err)
	}
}

func TestEncodeConfigFileRoundTrip(t *testing.T) {
	api, level, on := "127.0.0.1:8545", "warn \"quoted\"\t\\ \x01 é", true
	bt := 1500 * time.Millisecond
	listen, boot := []string{"/ip4/127.0.0.1/tcp/1"}, []string{}
	in := &fileConfig{API: &api, LogLevel: &level, BlockTime: &bt,
		P2P: fileP2P{Enabled: &on, Listen: &listen, Bootstrap: &boot, NoDHT: true, LowWater: 3, HighWater: 4}}
	text := encodeConfigFile("title line", in)
	path := filepath.Join(t.TempDir(), "config.toml")
	writeFile(t, path, string(text))
	out, err := loadConfigFile(path)
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	if *out.API != api || *out.LogLevel != level || *out.BlockTime != bt || !*out.P2P.Enabled ||
		!slices.Equal(*out.P2P.Listen, listen) || out.P2P.Bootstrap == nil || len(*out.P2P.Bootstrap) != 0 ||
		!out.P2P.NoDHT || out.P2P.LowWater != 3 || out.P2P.HighWater != 4 {
		t.Fatalf("round trip lost something:\n%s", text)
	}
	// The documented example block is itself a valid file with known keys.
	var example strings.Builder
	for _, line := range strings.Split(configFileHelp, "\n") {
		if strings.HasPrefix(line, "  ") && !strings.HasPrefix(strings.TrimSpace(line), "#") {
			example.WriteString(strings.TrimSpace(line) + "\n")
		}
	}
	var fc fileConfig
	md, err := toml.Decode(example.String(), &fc)
	if err != nil || len(md.Undecoded()) > 0 {
		t.Fatalf("the documented keys do not parse: %v %v\n%s", err, md.Undecoded(), example.String())
	}
}

func TestStatePruningSettings(t *testing.T) {
	home := t.TempDir()
	cfg, err := testNodeConfig(t, "--home", home, "--devnet")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.StateWindow != chain.DefaultStateWindow || cfg.Archive {
		t.Fatalf("default: window %d archive %v, want %d and false", cfg.StateWindow, cfg.Archive, chain.DefaultStateWindow)
	}
	writeFile(t, node.ConfigPath(home), "state_window = 64\narchive = true\n")
	if cfg, err = testNodeConfig(t, "--home", home, "--devnet"); err != nil {
		t.Fatal(err)
	}
	if cfg.StateWindow != 64 || !cfg.Archive {
		t.Fatalf("from the file: window %d archive %v, want 64 and true", cfg.StateWindow, cfg.Archive)
	}
	if cfg, err = testNodeConfig(t, "--home", home, "--devnet", "--state-window", "300", "--archive=false"); err != nil {
		t.Fatal(err)
	}
	if cfg.StateWindow != 300 || cfg.Archive {
		t.Fatalf("flags over the file: window %d archive %v, want 300 and false", cfg.StateWindow, cfg.Archive)
	}
	if _, err := testNodeConfig(t, "--home", home, "--devnet", "--state-window", "0"); err == nil || !strings.Contains(err.Error(), "--archive") {
		t.Fatalf("--state-window 0: %v, want an error pointing at --archive", err)
	}
}

func TestSyncSetting(t *testing.T) {
	home := t.TempDir()
	cfg, err := testNodeConfig(t, "--home", home, "--devnet")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Sync != node.SyncFull {
		t.Fatalf("default sync %q, want %q", cfg.Sync, node.SyncFull)
	}
	writeFile(t, node.ConfigPath(home), "sync = \"snapshot\"\n")
	if cfg, err = testNodeConfig(t, "--home", home, "--devnet"); err != nil || cfg.Sync != node.SyncSnapshot {
		t.Fatalf("from the file: %q (%v), want %q", cfg.Sync, err, node.SyncSnapshot)
	}
	if cfg, err = testNodeConfig(t, "--home", home, "--devnet", "--sync", "full"); err != nil || cfg.Sync != node.SyncFull {
		t.Fatalf("flag over the file: %q (%v), want %q", cfg.Sync, err, node.SyncFull)
	}
	if _, err := testNodeConfig(t, "--home", home, "--devnet", "--sync", "fast"); err == nil || !strings.Contains(err.Error(), "snapshot") {
		t.Fatalf("--sync fast: %v, want an error naming the choices", err)
	}
}
