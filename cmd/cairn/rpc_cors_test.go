package main

import (
	"reflect"
	"testing"
)

// --rpc-cors reaches the node's configuration as a list of origins, on
// the node command and the console alike (they share the node flags).
func TestRPCCORSFlag(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{nil, nil},
		{[]string{"--rpc-cors", "*"}, []string{"*"}},
		{[]string{"--rpc-cors", " http://localhost:3000, https://app.example ,,"}, []string{"http://localhost:3000", "https://app.example"}},
	} {
		args := append([]string{"--devnet", "--home", t.TempDir()}, tc.args...)
		cfg, err := testNodeConfig(t, args...)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(cfg.RPCCORSOrigins, tc.want) {
			t.Errorf("%q: origins %q, want %q", tc.args, cfg.RPCCORSOrigins, tc.want)
		}
	}
	console := newConsoleCmd()
	if console.Flags().Lookup("rpc-cors") == nil {
		t.Error("the console command has no --rpc-cors")
	}
}
