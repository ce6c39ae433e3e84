package main

import (
	"cairn/node/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/multiformats/go-multiaddr"
	"github.com/spf13/cobra"
)

// p2pFlags are the network flags of the node commands.
type p2pFlags struct {
	listen    []string
	bootstrap []string
	mdns      bool
	noP2P     bool
}

func (f *p2pFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringArrayVar(&f.listen, "p2p", nil, "listen for peers on this multiaddr (repeatable; default /ip4/0.0.0.0/tcp/30333 and\n"+
		"/ip4/0.0.0.0/udp/30333/quic-v1, 127.0.0.1 with --devnet; --p2p \"\" is --no-p2p)")
	fl.StringArrayVar(&f.bootstrap, "bootstrap", nil, "dial this peer at start: a multiaddr ending in /p2p/<peer id> (repeatable)")
	fl.BoolVar(&f.mdns, "mdns", false, "find peers on the local network with mDNS")
	fl.BoolVar(&f.noP2P, "no-p2p", false, "run without networking: no listening, no peers")
}

// p2pConfig decides whether and how the node joins a network, from the
// flags (changed says which were given) and config.toml's [p2p] table. It
// returns nil for a node that runs alone: --no-p2p, --p2p "", enabled =
// false or listen = [] in the file, or the built-in devnet when nothing
// asks for a network.
func (f *p2pFlags) p2pConfig(devnet bool, file fileP2P, changed func(string) bool) (*p2p.Config, error) {
	listen, listenGiven := nonEmpty(f.listen), changed("p2p")
	if changed("no-p2p") && f.noP2P && len(listen) > 0 {
		return nil, usageErr("--no-p2p and --p2p are exclusive")
	}
	wanted := changed("bootstrap") || changed("mdns") || file.asksForNetwork()
	var on bool
	switch {
	case changed("no-p2p"):
		on = !f.noP2P
	case listenGiven:
		on = len(listen) > 0
	case file.Listen != nil && len(nonEmpty(*file.Listen)) == 0:
		on = false
	case file.Enabled != nil:
		on = *file.Enabled
	default:
		on = !devnet || wanted
	}
	if !on {
		return nil, nil
	}
	cfg := &p2p.Config{MDNS: f.mdns, NoDHT: file.NoDHT, LowWater: file.LowWater, HighWater: file.HighWater}
	switch {
	case listenGiven:
		cfg.Listen = listen
	case file.Listen != nil && len(nonEmpty(*file.Listen)) > 0:
		cfg.Listen = nonEmpty(*file.Listen)
	case devnet:
		cfg.Listen = p2p.LocalListen(p2p.DefaultPort)
	default:
		cfg.Listen = append([]string(nil), p2p.DefaultListen...)
	}
	cfg.Bootstrap = nonEmpty(f.bootstrap)
	if !changed("bootstrap") && file.Bootstrap != nil {
		cfg.Bootstrap = nonEmpty(*file.Bootstrap)
	}
	if !changed("mdns") && file.MDNS != nil {
		cfg.MDNS = *file.MDNS
	}
	for _, a := range cfg.Listen {
		if _, err := multiaddr.NewMultiaddr(a); err != nil {
			return nil, usageErr("p2p listen address %q is not a multiaddr (e.g. /ip4/0.0.0.0/tcp/30333): %v", a, err)
		}
	}
	for _, a := range cfg.Bootstrap {
		if _, err := peer.AddrInfoFromString(a); err != nil {
			return nil, usageErr("bootstrap peer %q: want a multiaddr ending in /p2p/<peer id>: %v", a, err)
		}
	}
	return cfg, nil
}

// nonEmpty drops the empty strings of a flag or file list.
func nonEmpty(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
