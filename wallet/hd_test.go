package wallet

import (
	"bytes"
	"cairn/chain"
	"crypto/hmac"
	"crypto/sha512"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
)

// bip39Vectors are entries of the official Trezor vectors
// (github.com/trezor/python-mnemonic, vectors.json, English, passphrase
// "TREZOR"): entropy, mnemonic, seed, BIP-32 root xprv.
var bip39Vectors = []struct{ entropy, mnemonic, seed, xprv string }{
	{
		"00000000000000000000000000000000",
		"abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
		"c55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e53495531f09a6987599d18264c1e1c92f2cf141630c7a3c4ab7c81b2f001698e7463b04",
		"xprv9s21ZrQH143K3h3fDYiay8mocZ3afhfULfb5GX8kCBdno77K4HiA15Tg23wpbeF1pLfs1c5SPmYHrEpTuuRhxMwvKDwqdKiGJS9XFKzUsAF",
	},
	{
		"7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f",
		"legal winner thank year wave sausage worth useful legal winner thank yellow",
		"2e8905819b8723fe2c1d161860e5ee1830318dbf49a83bd451cfb8440c28bd6fa457fe1296106559a3c80937a1c1069be3a3a5bd381ee6260e8d9739fce1f607",
		"xprv9s21ZrQH143K2gA81bYFHqU68xz1cX2APaSq5tt6MFSLeXnCKV1RVUJt9FWNTbrrryem4ZckN8k4Ls1H6nwdvDTvnV7zEXs2HgPezuVccsq",
	},
	{
		"80808080808080808080808080808080",
		"letter advice cage absurd amount doctor acoustic avoid letter advice cage above",
		"d71de856f81a8acc65e6fc851a38d4d7ec216fd0796d0a6827a3ad6ed5511a30fa280f12eb2e47ed2ac03b5c462a0358d18d69fe4f985ec81778c1b370b652a8",
		"xprv9s21ZrQH143K2shfP28KM3nr5Ap1SXjz8gc2rAqqMEynmjt6o1qboCDpxckqXavCwdnYds6yBHZGKHv7ef2eTXy461PXUjBFQg6PrwY4Gzq",
	},
	{
		"ffffffffffffffffffffffffffffffff",
		"zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo wrong",
		"ac27495480225222079d7be181583751e86f571027b0497b5b5d11218e0a8a13332572917f0f8e5a589620c6f15b11c61dee327651a14c34e18231052e48c069",
		"xprv9s21ZrQH143K2V4oox4M8Zmhi2Fjx5XK4Lf7GKRvPSgydU3mjZuKGCTg7UPiBUD7ydVPvSLtg9hjp7MQTYsW67rZHAXeccqYqrsx8LcXnyd",
	},
	{
		"000000000000000000000000000000000000000000000000",
		"abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon agent",
		"035895f2f481b1b0f01fcf8c289c794660b289981a78f8106447707fdd9666ca06da5a9a565181599b79f53b844d8a71dd9f439c52a3d7b3e8a79c906ac845fa",
		"xprv9s21ZrQH143K3mEDrypcZ2usWqFgzKB6jBBx9B6GfC7fu26X6hPRzVjzkqkPvDqp6g5eypdk6cyhGnBngbjeHTe4LsuLG1cCmKJka5SMkmU",
	},
	{
		"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
		"zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo vote",
		"dd48c104698c30cfe2b6142103248622fb7bb0ff692eebb00089b32d22484e1613912f0a5b694407be899ffd31ed3992c456cdf60f5d4564b8ba3f05a69890ad",
		"xprv9s21ZrQH143K2WFF16X85T2QCpndrGwx6GueB72Zf3AHwHJaknRXNF37ZmDrtHrrLSHvbuRejXcnYxoZKvRquTPyp2JiNG3XcjQyzSEgqCB",
	},
	{
		"9e885d952ad362caeb4efe34a8e91bd2",
		"ozone drill grab fiber curtain grace pudding thank cruise elder eight picnic",
		"274ddc525802f7c828d8ef7ddbcdc5304e87ac3535913611fbbfa986d0c9e5476c91689f9c8a54fd55bd38606aa6a8595ad213d4c9c9f9aca3fb217069a41028",
		"xprv9s21ZrQH143K2oZ9stBYpoaZ2ktHj7jLz7iMqpgg1En8kKFTXJHsjxry1JbKH19YrDTicVwKPehFKTbmaxgVEc5TpHdS1aYhB2s9aFJBeJH",
	},
	{
		"6610b25967cdcca9d59875f5cb50b0ea75433311869e930b",
		"gravity machine north sort system female filter attitude volume fold club stay feature office ecology stable narrow fog",
		"628c3827a8823298ee685db84f55caa34b5cc195a778e52d45f59bcf75aba68e4d7590e101dc414bc1bbd5737666fbbef35d1f1903953b66624f910feef245ac",
		"xprv9s21ZrQH143K3uT8eQowUjsxrmsA9YUuQQK1RLqFufzybxD6DH6gPY7NjJ5G3EPHjsWDrs9iivSbmvjc9DQJbJGatfa9pv4MZ3wjr8qWPAK",
	},
	{
		"68a79eaca2324873eacc50cb9c6eca8cc68ea5d936f98787c60c7ebc74e6ce7c",
		"hamster diagram private dutch cause delay private meat slide toddler razor book happy fancy gospel tennis maple dilemma loan word shrug inflict delay length",
		"64c87cde7e12ecf6704ab95bb1408bef047c22db4cc7491c4271d170a1b213d20b385bc1588d9c7b38f1b39d415665b8a9030c9ec653d75e65f847d8fc1fc440",
		"xprv9s21ZrQH143K2XTAhys3pMNcGn261Fi5Ta2Pw8PwaVPhg3D8DWkzWQwjTJfskj8ofb81i9NP2cUNKxwjueJHHMQAnxtivTA75uUFqPFeWzk",
	},
	{
		"f585c11aec520db57dd353c69554b21a89b20fb0650966fa0a9d6f74fd989d8f",
		"void come effort suffer camp survey warrior heavy shoot primary clutch crush open amazing screen patrol group space point ten exist slush involve unfold",
		"01f5bced59dec48e362f2c45b5de68b9fd6c92c6634f44d6d40aab69056506f0e35524a518034ddc1192e1dacd32c1ed3eaa3c3b131c88ed8e7e54c49a5d0998",
		"xprv9s21ZrQH143K39rnQJknpH1WEPFJrzmAqqasiDcVrNuk926oizzJDDQkdiTvNPr2FYDYzWgiMiC63YmfPAa2oPyNB23r2g7d1yiK6WpqaQS",
	},
}

func TestBIP39Vectors(t *testing.T) {
	for _, v := range bip39Vectors {
		entropy, _ := hex.DecodeString(v.entropy)
		m, err := MnemonicFromEntropy(entropy)
		if err != nil {
			t.Fatalf("entropy %s: %v", v.entropy, err)
		}
		if m != v.mnemonic {
			t.Errorf("entropy %s: mnemonic %q, want %q", v.entropy, m, v.mnemonic)
		}
		back, err := MnemonicEntropy(v.mnemonic)
		if err != nil || !bytes.Equal(back, entropy) {
			t.Errorf("entropy %s: round trip gave %x, %v", v.entropy, back, err)
		}
		seed, err := Seed(v.mnemonic, "TREZOR")
		if err != nil {
			t.Fatalf("entropy %s: seed: %v", v.entropy, err)
		}
		if got := hex.EncodeToString(seed); got != v.seed {
			t.Errorf("entropy %s: seed %s, want %s", v.entropy, got, v.seed)
		}
		root, err := deriveNode(seed, nil)
		if err != nil {
			t.Fatalf("entropy %s: root: %v", v.entropy, err)
		}
		if got := root.String(); got != v.xprv {
			t.Errorf("entropy %s: root %s, want %s", v.entropy, got, v.xprv)
		}
	}
}

func TestSeedNormalizesWhitespaceAndCase(t *testing.T) {
	v := bip39Vectors[0]
	messy := "  " + strings.ToUpper(strings.ReplaceAll(v.mnemonic, " ", " \t ")) + "\n"
	seed, err := Seed(messy, "TREZOR")
	if err != nil {
		t.Fatal(err)
	}
	if hex.EncodeToString(seed) != v.seed {
		t.Fatalf("messy mnemonic gave a different seed")
	}
}

func TestValidateMnemonic(t *testing.T) {
	good := []string{DevMnemonic, bip39Vectors[5].mnemonic}
	for _, m := range good {
		if err := ValidateMnemonic(m); err != nil {
			t.Errorf("valid mnemonic rejected: %v", err)
		}
	}
	bad := map[string]string{
		"empty":          "",
		"11 words":       "test test test test test test test test test test junk",
		"13 words":       DevMnemonic + " test",
		"unknown word":   "test test test test test test test test test test testy junk",
		"bad checksum":   "test test test test test test test test test test test test",
		"swapped words":  "junk test test test test test test test test test test test",
		"non-list words": "hello world foo bar baz qux quux corge grault garply waldo fred",
	}
	for name, m := range bad {
		err := ValidateMnemonic(m)
		if !errors.Is(err, ErrInvalidMnemonic) {
			t.Errorf("%s: got %v, want ErrInvalidMnemonic", name, err)
			continue
		}
		for _, w := range strings.Fields(m) {
			if len(w) > 3 && strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q quotes a mnemonic word", name, err)
			}
		}
	}
	if _, err := Seed("zoo zoo", ""); !errors.Is(err, ErrInvalidMnemonic) {
		t.Errorf("Seed accepted an invalid mnemonic: %v", err)
	}
	if _, err := DeriveKey("zoo zoo", "", 0); !errors.Is(err, ErrInvalidMnemonic) {
		t.Errorf("DeriveKey accepted an invalid mnemonic: %v", err)
	}
}

func TestNewMnemonic(t *testing.T) {
	for _, n := range []int{12, 24} {
		m, err := NewMnemonic(n)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(strings.Fields(m)); got != n {
			t.Errorf("NewMnemonic(%d) has %d words", n, got)
		}
		if err := ValidateMnemonic(m); err != nil {
			t.Errorf("NewMnemonic(%d) invalid: %v", n, err)
		}
		m2, _ := NewMnemonic(n)
		if m == m2 {
			t.Errorf("NewMnemonic(%d) returned the same words twice", n)
		}
	}
	for _, n := range []int{0, 11, 15, 25, -1} {
		if _, err := NewMnemonic(n); err == nil {
			t.Errorf("NewMnemonic(%d) succeeded", n)
		}
	}
}

// bip32Chain is one level of a BIP-32 test vector: path and expected xprv.
type bip32Chain struct{ path, xprv string }

// BIP-32 test vectors 1, 2 and 3 (bitcoin/bips bip-0032.mediawiki). Vector 3
// exists to catch implementations that drop leading zero bytes of keys.
var bip32Vectors = []struct {
	seed   string
	chains []bip32Chain
}{
	{"000102030405060708090a0b0c0d0e0f", []bip32Chain{
		{"m", "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi"},
		{"m/0'", "xprv9uHRZZhk6KAJC1avXpDAp4MDc3sQKNxDiPvvkX8Br5ngLNv1TxvUxt4cV1rGL5hj6KCesnDYUhd7oWgT11eZG7XnxHrnYeSvkzY7d2bhkJ7"},
		{"m/0'/1", "xprv9wTYmMFdV23N2TdNG573QoEsfRrWKQgWeibmLntzniatZvR9BmLnvSxqu53Kw1UmYPxLgboyZQaXwTCg8MSY3H2EU4pWcQDnRnrVA1xe8fs"},
		{"m/0'/1/2'", "xprv9z4pot5VBttmtdRTWfWQmoH1taj2axGVzFqSb8C9xaxKymcFzXBDptWmT7FwuEzG3ryjH4ktypQSAewRiNMjANTtpgP4mLTj34bhnZX7UiM"},
		{"m/0'/1/2'/2", "xprvA2JDeKCSNNZky6uBCviVfJSKyQ1mDYahRjijr5idH2WwLsEd4Hsb2Tyh8RfQMuPh7f7RtyzTtdrbdqqsunu5Mm3wDvUAKRHSC34sJ7in334"},
		{"m/0'/1/2'/2/1000000000", "xprvA41z7zogVVwxVSgdKUHDy1SKmdb533PjDz7J6N6mV6uS3ze1ai8FHa8kmHScGpWmj4WggLyQjgPie1rFSruoUihUZREPSL39UNdE3BBDu76"},
	}},
	{"fffcf9f6f3f0edeae7e4e1dedbd8d5d2cfccc9c6c3c0bdbab7b4b1aeaba8a5a29f9c999693908d8a8784817e7b7875726f6c696663605d5a5754514e4b484542", []bip32Chain{
		{"m", "xprv9s21ZrQH143K31xYSDQpPDxsXRTUcvj2iNHm5NUtrGiGG5e2DtALGdso3pGz6ssrdK4PFmM8NSpSBHNqPqm55Qn3LqFtT2emdEXVYsCzC2U"},
		{"m/0", "xprv9vHkqa6EV4sPZHYqZznhT2NPtPCjKuDKGY38FBWLvgaDx45zo9WQRUT3dKYnjwih2yJD9mkrocEZXo1ex8G81dwSM1fwqWpWkeS3v86pgKt"},
		{"m/0/2147483647'", "xprv9wSp6B7kry3Vj9m1zSnLvN3xH8RdsPP1Mh7fAaR7aRLcQMKTR2vidYEeEg2mUCTAwCd6vnxVrcjfy2kRgVsFawNzmjuHc2YmYRmagcEPdU9"},
		{"m/0/2147483647'/1", "xprv9zFnWC6h2cLgpmSA46vutJzBcfJ8yaJGg8cX1e5StJh45BBciYTRXSd25UEPVuesF9yog62tGAQtHjXajPPdbRCHuWS6T8XA2ECKADdw4Ef"},
		{"m/0/2147483647'/1/2147483646'", "xprvA1RpRA33e1JQ7ifknakTFpgNXPmW2YvmhqLQYMmrj4xJXXWYpDPS3xz7iAxn8L39njGVyuoseXzU6rcxFLJ8HFsTjSyQbLYnMpCqE2VbFWc"},
		{"m/0/2147483647'/1/2147483646'/2", "xprvA2nrNbFZABcdryreWet9Ea4LvTJcGsqrMzxHx98MMrotbir7yrKCEXw7nadnHM8Dq38EGfSh6dqA9QWTyefMLEcBYJUuekgW4BYPJcr9E7j"},
	}},
	{"4b381541583be4423346c643850da4b320e46a87ae3d2a4e6da11eba819cd4acba45d239319ac14f863b8d5ab5a0d0c64d2e8a1e7d1457df2e5a3c51c73235be", []bip32Chain{
		{"m", "xprv9s21ZrQH143K25QhxbucbDDuQ4naNntJRi4KUfWT7xo4EKsHt2QJDu7KXp1A3u7Bi1j8ph3EGsZ9Xvz9dGuVrtHHs7pXeTzjuxBrCmmhgC6"},
		{"m/0H", "xprv9uPDJpEQgRQfDcW7BkF7eTya6RPxXeJCqCJGHuCJ4GiRVLzkTXBAJMu2qaMWPrS7AANYqdq6vcBcBUdJCVVFceUvJFjaPdGZ2y9WACViL4L"},
	}},
}

func TestBIP32Vectors(t *testing.T) {
	for vi, v := range bip32Vectors {
		seed, _ := hex.DecodeString(v.seed)
		for _, c := range v.chains {
			idx, err := ParsePath(c.path)
			if err != nil {
				t.Fatalf("vector %d %s: %v", vi+1, c.path, err)
			}
			node, err := deriveNode(seed, idx)
			if err != nil {
				t.Fatalf("vector %d %s: %v", vi+1, c.path, err)
			}
			if got := node.String(); got != c.xprv {
				t.Errorf("vector %d %s: got %s, want %s", vi+1, c.path, got, c.xprv)
			}
			// DerivePath must return the same scalar as the xprv node.
			k, err := DerivePath(seed, c.path)
			if err != nil {
				t.Fatalf("vector %d %s: DerivePath: %v", vi+1, c.path, err)
			}
			if !bytes.Equal(crypto.FromECDSA(k), node.Key) {
				t.Errorf("vector %d %s: DerivePath key differs from node key", vi+1, c.path)
			}
		}
	}
}

func TestDevMnemonicAddresses(t *testing.T) {
	keys, err := DevKeys(len(devAddresses))
	if err != nil {
		t.Fatal(err)
	}
	for i, k := range keys {
		if got := crypto.PubkeyToAddress(k.PublicKey); got != devAddresses[i] {
			t.Errorf("dev key %d: address %s, want %s", i, got.Hex(), devAddresses[i].Hex())
		}
	}
	// The published Hardhat/Anvil addresses, written out independently of devAddresses.
	published := []string{
		"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
		"0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
		"0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65", "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
		"0x976EA74026E726554dB657fA54763abd0C3a0aa9", "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955",
		"0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f", "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720",
	}
	for i, want := range published {
		k, err := DeriveKey(DevMnemonic, "", uint32(i))
		if err != nil {
			t.Fatal(err)
		}
		if got := crypto.PubkeyToAddress(k.PublicKey).Hex(); got != want {
			t.Errorf("DeriveKey(dev, %d) = %s, want %s", i, got, want)
		}
		k2, err := DerivePath(mustSeed(t, DevMnemonic, ""), AccountPath(uint32(i)))
		if err != nil || !bytes.Equal(crypto.FromECDSA(k2), crypto.FromECDSA(k)) {
			t.Errorf("DerivePath(dev, %s) disagrees with DeriveKey: %v", AccountPath(uint32(i)), err)
		}
	}
	// Account 0's private key is also published by Hardhat and Anvil.
	k0 := hex.EncodeToString(crypto.FromECDSA(keys[0]))
	if k0 != "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80" {
		t.Errorf("dev key 0 = %s", k0)
	}
}

// Other paths of DevMnemonic, as published in viem's mnemonicToAccount
// tests (accountIndex and changeIndex options).
func TestDevMnemonicOtherPaths(t *testing.T) {
	seed := mustSeed(t, DevMnemonic, "")
	for path, want := range map[string]string{
		"m/44'/60'/1'/0/0": "0x8C8d35429F74ec245F8Ef2f4Fd1e551cFF97d650",
		"m/44'/60'/2'/0/0": "0x98e503f35D0a019cB0a251aD243a4cCFCF371F46",
		"m/44'/60'/0'/1/0": "0x4b39F7b0624b9dB86AD293686bc38B903142dbBc",
		"m/44'/60'/0'/3/0": "0x4E0eBc370cAdc5d152505EA4FEbcf839E7E2D3F8",
	} {
		k, err := DerivePath(seed, path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if got := crypto.PubkeyToAddress(k.PublicKey).Hex(); got != want {
			t.Errorf("%s: %s, want %s", path, got, want)
		}
	}
}

func TestPassphraseChangesKeys(t *testing.T) {
	a, err := DeriveKey(DevMnemonic, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	b, err := DeriveKey(DevMnemonic, "secret", 0)
	if err != nil {
		t.Fatal(err)
	}
	if a.D.Cmp(b.D) == 0 {
		t.Fatal("passphrase did not change the derived key")
	}
}

// devLeadingZeroIndex is an account of DevMnemonic whose private key starts
// with a zero byte (found by scanning indexes 0..999).
const devLeadingZeroIndex = 140

func TestLeadingZeroKeyMatchesReference(t *testing.T) {
	seed := mustSeed(t, DevMnemonic, "")
	for _, i := range []uint32{0, 1, 7, devLeadingZeroIndex} {
		idx, err := ParsePath(AccountPath(i))
		if err != nil {
			t.Fatal(err)
		}
		want := refDerive(seed, idx)
		k, err := DeriveKey(DevMnemonic, "", i)
		if err != nil {
			t.Fatal(err)
		}
		got := crypto.FromECDSA(k)
		if !bytes.Equal(got, want) {
			t.Errorf("index %d: key %x, reference %x", i, got, want)
		}
		if i == devLeadingZeroIndex && got[0] != 0 {
			t.Errorf("index %d no longer has a leading zero byte; test lost its purpose", i)
		}
	}
}

// refDerive is an independent BIP-32 CKDpriv written from the spec on top
// of go-ethereum's secp256k1, used to cross-check go-bip32.
func refDerive(seed []byte, path []uint32) []byte {
	mac := func(key, data []byte) []byte {
		h := hmac.New(sha512.New, key)
		h.Write(data)
		return h.Sum(nil)
	}
	n := crypto.S256().Params().N
	I := mac([]byte("Bitcoin seed"), seed)
	k, c := new(big.Int).SetBytes(I[:32]), I[32:]
	for _, i := range path {
		kb := make([]byte, 32)
		k.FillBytes(kb)
		var data []byte
		if i >= HardenedOffset {
			data = append([]byte{0}, kb...)
		} else {
			priv, _ := crypto.ToECDSA(kb)
			data = crypto.CompressPubkey(&priv.PublicKey)
		}
		data = binary.BigEndian.AppendUint32(data, i)
		I = mac(c, data)
		k.Add(k, new(big.Int).SetBytes(I[:32]))
		k.Mod(k, n)
		c = I[32:]
	}
	out := make([]byte, 32)
	k.FillBytes(out)
	return out
}

func TestParsePath(t *testing.T) {
	got, err := ParsePath("m/44'/60h/0H/0/7")
	if err != nil {
		t.Fatal(err)
	}
	want := []uint32{44 + HardenedOffset, 60 + HardenedOffset, HardenedOffset, 0, 7}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
	if idx, err := ParsePath("m"); err != nil || len(idx) != 0 {
		t.Errorf("ParsePath(m) = %v, %v", idx, err)
	}
	for _, p := range []string{"", "44'/60'", "m/", "m//1", "m/x", "m/-1", "m/+1", "m/2147483648", "m/1''", "m/4294967296", "M/1"} {
		if _, err := ParsePath(p); !errors.Is(err, ErrInvalidPath) {
			t.Errorf("ParsePath(%q) = %v, want ErrInvalidPath", p, err)
		}
	}
	if AccountPath(3) != "m/44'/60'/0'/0/3" {
		t.Errorf("AccountPath(3) = %s", AccountPath(3))
	}
}

func TestDeriveBadInput(t *testing.T) {
	if _, err := DerivePath(make([]byte, 8), "m/0"); err == nil {
		t.Error("short seed accepted")
	}
	if _, err := DerivePath(make([]byte, 65), "m/0"); err == nil {
		t.Error("long seed accepted")
	}
	if _, err := DevKeys(-1); err == nil {
		t.Error("DevKeys(-1) succeeded")
	}
	if _, err := DevKeys(MaxDevKeys + 1); err == nil {
		t.Error("DevKeys over the limit succeeded")
	}
	if _, err := DeriveKeys(DevMnemonic, "", HardenedOffset-1, 2); err == nil {
		t.Error("DeriveKeys past the hardened boundary succeeded")
	}
	if _, err := DeriveKey(DevMnemonic, "", HardenedOffset); err == nil {
		t.Error("DeriveKey with a hardened index succeeded")
	}
	if keys, err := DevKeys(0); err != nil || len(keys) != 0 {
		t.Errorf("DevKeys(0) = %d keys, %v", len(keys), err)
	}
}

func mustSeed(t *testing.T, m, pass string) []byte {
	t.Helper()
	s, err := Seed(m, pass)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// devAddresses are the devnet genesis accounts: the published Hardhat/Anvil
// addresses of DevMnemonic. The wallet must derive exactly these.
var devAddresses = chain.DevnetAccounts
