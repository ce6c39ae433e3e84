package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// configFileHelp documents <home>/config.toml. It is part of the node
// commands' help and the comment block of every config file cairn writes.
const configFileHelp = `<home>/config.toml holds the node's settings; a flag given on the command
line overrides the file, a missing file is the same as an empty one, and an
unknown key is an error. The keys, with the flag each one mirrors:

  api = "127.0.0.1:8545"             # --api: REST API address, "" disables it
  block_time = "1s"                  # --block-time: overrides the genesis interval
  state_window = 128                 # --state-window: blocks before the head that keep their state
  archive = false                    # --archive: keep the state of every block
  sync = "full"                      # --sync: how a new node catches up: full or snapshot
  log_level = "info"                 # --log-level: debug, info, warn, error
  pprof = ""                         # --pprof: Go profiler address, "" is off
  genesis = "genesis.json"           # --genesis: relative paths are from <home>
  validator_key = "validator_key.json"  # --validator-key: relative to <home>

  [p2p]
  enabled = true                     # false is --no-p2p: run without networking
  listen = ["/ip4/0.0.0.0/tcp/30333", "/ip4/0.0.0.0/udp/30333/quic-v1"]
                                     # --p2p: multiaddrs to listen on; [] is --no-p2p
  bootstrap = []                     # --bootstrap: peers as multiaddrs with /p2p/<id>
  mdns = false                       # --mdns: find peers on the local network
  no_dht = false                     # turn off the chain's Kademlia DHT (file only)
  low_water = 32                     # connection manager bounds (file only)
  high_water = 64

The built-in devnet (--devnet, or the console without a genesis) runs without
networking unless a p2p setting asks for it; it then listens on 127.0.0.1 only.`

// fileConfig is the content of <home>/config.toml. Pointers tell a key
// that is absent from one set to its zero value.
type fileConfig struct {
	API          *string        `toml:"api"`
	BlockTime    *time.Duration `toml:"block_time"`
	StateWindow  *uint64        `toml:"state_window"`
	Archive      *bool          `toml:"archive"`
	Sync         *string        `toml:"sync"`
	LogLevel     *string        `toml:"log_level"`
	Pprof        *string        `toml:"pprof"`
	Genesis      *string        `toml:"genesis"`
	ValidatorKey *string        `toml:"validator_key"`
	P2P          fileP2P        `toml:"p2p"`
}

// fileP2P is the [p2p] table of config.toml.
type fileP2P struct {
	Enabled   *bool     `toml:"enabled"`
	Listen    *[]string `toml:"listen"`
	Bootstrap *[]string `toml:"bootstrap"`
	MDNS      *bool     `toml:"mdns"`
	NoDHT     bool      `toml:"no_dht"`
	LowWater  int       `toml:"low_water"`
	HighWater int       `toml:"high_water"`
}

// asksForNetwork says whether the file sets anything about the network
// other than turning it off.
func (p fileP2P) asksForNetwork() bool {
	return p.Enabled != nil && *p.Enabled || p.Listen != nil || p.Bootstrap != nil || p.MDNS != nil
}

// loadConfigFile reads config.toml at path. A missing file is an empty
// configuration; a key cairn does not know is an error that names it.
func loadConfigFile(path string) (*fileConfig, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &fileConfig{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	var fc fileConfig
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&fc)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	if undecoded := md.Undecoded(); len(undecoded) > 0 {
		keys := make([]string, len(undecoded))
		for i, k := range undecoded {
			keys[i] = k.String()
		}
		return nil, fmt.Errorf("config %s: unknown key(s) %s (see `cairn node --help` for the keys)",
			path, strings.Join(keys, ", "))
	}
	if fc.P2P.LowWater < 0 || fc.P2P.HighWater < 0 || fc.P2P.HighWater != 0 && fc.P2P.LowWater > fc.P2P.HighWater {
		return nil, fmt.Errorf("config %s: p2p.low_water %d and p2p.high_water %d: want 0 <= low_water <= high_water",
			path, fc.P2P.LowWater, fc.P2P.HighWater)
	}
	return &fc, nil
}

// homePath resolves a path from config.toml: relative ones are from home.
func homePath(home, p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(home, p)
}

// encodeConfigFile renders fc as config.toml: title, then the key
// documentation as comments, then the settings fc holds.
func encodeConfigFile(title string, fc *fileConfig) []byte {
	var b strings.Builder
	for _, line := range strings.Split(title+"\n\n"+configFileHelp, "\n") {
		b.WriteString(strings.TrimRight("# "+line, " ") + "\n")
	}
	b.WriteString("\n")
	str := func(key string, v *string) {
		if v != nil {
			fmt.Fprintf(&b, "%s = %s\n", key, tomlQuote(*v))
		}
	}
	boolean := func(key string, v *bool) {
		if v != nil {
			fmt.Fprintf(&b, "%s = %t\n", key, *v)
		}
	}
	list := func(key string, v *[]string) {
		if v == nil {
			return
		}
		if len(*v) == 0 {
			fmt.Fprintf(&b, "%s = []\n", key)
			return
		}
		fmt.Fprintf(&b, "%s = [\n", key)
		for _, s := range *v {
			fmt.Fprintf(&b, "  %s,\n", tomlQuote(s))
		}
		b.WriteString("]\n")
	}
	str("api", fc.API)
	if fc.BlockTime != nil {
		fmt.Fprintf(&b, "block_time = %s\n", tomlQuote(fc.BlockTime.String()))
	}
	if fc.StateWindow != nil {
		fmt.Fprintf(&b, "state_window = %d\n", *fc.StateWindow)
	}
	boolean("archive", fc.Archive)
	str("sync", fc.Sync)
	str("log_level", fc.LogLevel)
	str("pprof", fc.Pprof)
	str("genesis", fc.Genesis)
	str("validator_key", fc.ValidatorKey)
	p := fc.P2P
	if p == (fileP2P{}) {
		return []byte(b.String())
	}
	b.WriteString("\n[p2p]\n")
	boolean("enabled", p.Enabled)
	list("listen", p.Listen)
	list("bootstrap", p.Bootstrap)
	boolean("mdns", p.MDNS)
	if p.NoDHT {
		b.WriteString("no_dht = true\n")
	}
	if p.LowWater != 0 {
		fmt.Fprintf(&b, "low_water = %d\n", p.LowWater)
	}
	if p.HighWater != 0 {
		fmt.Fprintf(&b, "high_water = %d\n", p.HighWater)
	}
	return []byte(b.String())
}

// tomlQuote writes s as a TOML basic string.
func tomlQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
