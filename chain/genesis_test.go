package chain

import (
	"strings"
	"testing"
)

func TestGenesisJSONRoundTrip(t *testing.T) {
	g := Devnet()
	data, err := g.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"balance": "1000000000000000000000000"`) {
		t.Fatalf("balances are not decimal strings:\n%s", data)
	}
	back, err := ParseGenesis(data)
	if err != nil {
		t.Fatal(err)
	}
	b1, _ := GenesisBlock(g)
	b2, _ := GenesisBlock(back)
	if b1.Hash() != b2.Hash() {
		t.Fatal("genesis hash changed through JSON")
	}
}

func TestGenesisValidationErrorsNameTheProblem(t *testing.T) {
	good, _ := Devnet().Marshal()
	cases := []struct {
		name, from, to, want string
	}{
		{"chain id", `"chainId": 7777`, `"chainId": 0`, "chainId"},
		{"unknown field", `"chainId": 7777`, `"chainID": 7777, "chainIdd": 1`, "unknown field"},
		{"gas limit", `"gasLimit": 600000000`, `"gasLimit": 100`, "gasLimit"},
		{"stake", `"stake": "1000000000000000000000000"`, `"stake": "5"`, "stake"},
		{"pubkey", `"pubKey": "0x`, `"pubKey": "0x00`, "pubKey"},
		{"balance", `"balance": "1000000000000000000000000"`, `"balance": "1.5"`, "not an integer"},
		{"syntax", `{`, `{{`, "decode"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bad := strings.Replace(string(good), tc.from, tc.to, 1)
			if bad == string(good) {
				t.Fatalf("test did not change the genesis (%q not found)", tc.from)
			}
			_, err := ParseGenesis([]byte(bad))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error mentioning %q", err, tc.want)
			}
		})
	}
}
