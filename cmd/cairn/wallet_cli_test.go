package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"cairn/chain"
	"cairn/node/api"
	"cairn/wallet"

	"github.com/ethereum/go-ethereum/accounts/keystore"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// devAddress is account 0 of the public development mnemonic, as MetaMask,
// Hardhat and Foundry derive it.
const devAddress = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"

// walletCLI runs the test build of the binary (cairnBin, built with the
// cairntest tag) with cheap wallet key derivation and stdin as given. With
// an empty stdin the process gets /dev/null: not a terminal.
func walletCLI(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	return runBin(t, cairnBin, stdin, args...)
}

func runBin(t *testing.T, bin, stdin string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "CAIRN_TEST_KDF_ITERATIONS=1000")
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return stdout.String(), stderr.String(), code
}

// mustWallet runs a command that must succeed and returns its stdout.
func mustWallet(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	out, errOut, code := walletCLI(t, stdin, args...)
	if code != 0 {
		t.Fatalf("cairn %s: exit %d: %s", strings.Join(args, " "), code, errOut)
	}
	return out
}

// mustFail runs a command that must fail with one "cairn: …" line on
// stderr containing every one of want, and returns that line.
func mustFail(t *testing.T, stdin string, args []string, want ...string) string {
	t.Helper()
	_, errOut, code := walletCLI(t, stdin, args...)
	line := strings.TrimSpace(errOut)
	if code == 0 {
		t.Fatalf("cairn %s: exit 0, want a failure", strings.Join(args, " "))
	}
	if strings.Contains(line, "\n") || !strings.HasPrefix(line, "cairn: ") {
		t.Fatalf("cairn %s: stderr %q, want one line starting \"cairn: \"", strings.Join(args, " "), errOut)
	}
	for _, w := range want {
		if !strings.Contains(line, w) {
			t.Fatalf("cairn %s: stderr %q, want it to mention %q", strings.Join(args, " "), line, w)
		}
	}
	return line
}

// secretFile writes content to a 0600 file in dir and returns its path.
func secretFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// listAccounts runs `wallet list --json`.
func listAccounts(t *testing.T, home string) []accountJSON {
	t.Helper()
	var accs []accountJSON
	out := mustWallet(t, "", "wallet", "list", "--home", home, "--json")
	if err := json.Unmarshal([]byte(out), &accs); err != nil {
		t.Fatalf("wallet list --json: %v: %q", err, out)
	}
	return accs
}

// importDev creates a wallet in a new home from the development mnemonic
// and returns the home and its password file.
func importDev(t *testing.T) (home, pw string) {
	t.Helper()
	dir := t.TempDir()
	home, pw = filepath.Join(dir, "home"), secretFile(t, dir, "pw", "dev password\n")
	words := secretFile(t, dir, "words", wallet.DevMnemonic+"\n")
	mustWallet(t, "", "wallet", "import", "--home", home, "--mnemonic-file", words, "--password-file", pw)
	return home, pw
}

var numberedWord = regexp.MustCompile(`\d+\. ([a-z]+)`)

func TestWalletNewListDerive(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	home, pw := filepath.Join(dir, "home"), secretFile(t, dir, "pw", "correct horse\n")

	out := mustWallet(t, "", "wallet", "new", "--home", home, "--password-file", pw)
	if !strings.Contains(out, "WRITE THESE DOWN") {
		t.Fatalf("wallet new does not tell the user to write the words down:\n%s", out)
	}
	var words []string
	for _, m := range numberedWord.FindAllStringSubmatch(out, -1) {
		words = append(words, m[1])
	}
	mnemonic := strings.Join(words, " ")
	if len(words) != 12 || wallet.ValidateMnemonic(mnemonic) != nil {
		t.Fatalf("wallet new showed %d words %v, want a valid 12-word phrase", len(words), words)
	}
	key0, err := wallet.DeriveKey(mnemonic, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	addr0 := crypto.PubkeyToAddress(key0.PublicKey).Hex()
	if !strings.Contains(out, addr0) {
		t.Fatalf("wallet new output lacks account 0 %s of the words it showed:\n%s", addr0, out)
	}
	if fi, err := os.Stat(wallet.DefaultPath(home)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("wallet file: %v, mode %v; want 0600", err, fi.Mode())
	}

	accs := listAccounts(t, home)
	if len(accs) != 1 || accs[0].Address != addr0 || !accs[0].Default || accs[0].Number != 1 || accs[0].Path != "m/44'/60'/0'/0/0" {
		t.Fatalf("list after new: %+v", accs)
	}

	// A second new refuses and leaves the wallet alone.
	before := readFile(t, wallet.DefaultPath(home))
	mustFail(t, "", []string{"wallet", "new", "--home", home, "--password-file", pw}, "already exists")
	if !bytes.Equal(before, readFile(t, wallet.DefaultPath(home))) {
		t.Fatal("a refused wallet new changed the wallet file")
	}

	out = mustWallet(t, "", "wallet", "derive", "--home", home, "--password-file", pw, "--label", "savings")
	key1, err := wallet.DeriveKey(mnemonic, "", 1)
	if err != nil {
		t.Fatal(err)
	}
	addr1 := crypto.PubkeyToAddress(key1.PublicKey).Hex()
	if !strings.Contains(out, addr1) || !strings.Contains(out, "savings") {
		t.Fatalf("derive printed %q, want account %s labelled savings", out, addr1)
	}
	accs = listAccounts(t, home)
	if len(accs) != 2 || accs[1].Address != addr1 || accs[1].Label != "savings" || accs[1].Path != "m/44'/60'/0'/0/1" ||
		accs[1].Default || accs[1].Number != 2 || accs[1].Imported {
		t.Fatalf("list after derive: %+v", accs)
	}
	human := mustWallet(t, "", "wallet", "list", "--home", home)
	if !regexp.MustCompile(`(?m)^\*\s+1\s+.*`+addr0).MatchString(human) || !strings.Contains(human, addr1) {
		t.Fatalf("wallet list does not mark the default account:\n%s", human)
	}

	// The words can be seen again on request, and only then.
	out = mustWallet(t, "", "wallet", "show-mnemonic", "--home", home, "--password-file", pw)
	var again []string
	for _, m := range numberedWord.FindAllStringSubmatch(out, -1) {
		again = append(again, m[1])
	}
	if strings.Join(again, " ") != mnemonic {
		t.Fatalf("show-mnemonic printed %v, want the words shown by new", again)
	}
}

func TestWalletNewJSONShowsWordsOnlyOnRequest(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pw := secretFile(t, dir, "pw", "pw\n")
	out, errOut, code := walletCLI(t, "", "wallet", "new", "--home", filepath.Join(dir, "a"), "--password-file", pw, "--json")
	if code != 0 {
		t.Fatalf("new --json: exit %d: %s", code, errOut)
	}
	var res map[string]any
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("new --json: %v: %q", err, out)
	}
	if _, ok := res["mnemonic"]; ok || res["address"] == nil || res["path"] != "m/44'/60'/0'/0/0" {
		t.Fatalf("new --json without --show-mnemonic printed %v", res)
	}
	if !strings.Contains(errOut, "show-mnemonic") {
		t.Fatalf("new --json does not say where the words are: stderr %q", errOut)
	}

	out = mustWallet(t, "", "wallet", "new", "--home", filepath.Join(dir, "b"), "--password-file", pw, "--json", "--show-mnemonic", "--words", "24")
	var shown struct{ Address, Mnemonic string }
	if err := json.Unmarshal([]byte(out), &shown); err != nil {
		t.Fatal(err)
	}
	key, err := wallet.DeriveKey(shown.Mnemonic, "", 0)
	if err != nil || len(strings.Fields(shown.Mnemonic)) != 24 || crypto.PubkeyToAddress(key.PublicKey).Hex() != shown.Address {
		t.Fatalf("new --json --show-mnemonic --words 24: %v %+v", err, shown)
	}
	mustFail(t, "", []string{"wallet", "new", "--home", filepath.Join(dir, "c"), "--password-file", pw, "--words", "13"}, "--words")
}

func TestWalletImportDevMnemonic(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pw := secretFile(t, dir, "pw", "pw\n")

	// Words on standard input, spaced and cased carelessly.
	home := filepath.Join(dir, "stdin")
	messy := "  " + strings.ToUpper(strings.ReplaceAll(wallet.DevMnemonic, " ", "\n  ")) + "\n"
	out := mustWallet(t, messy, "wallet", "import", "--home", home, "--mnemonic-file", "-", "--password-file", pw)
	if !strings.Contains(out, devAddress) {
		t.Fatalf("import of the dev mnemonic printed %q, want %s", out, devAddress)
	}
	if accs := listAccounts(t, home); len(accs) != 1 || accs[0].Address != devAddress {
		t.Fatalf("list after import: %+v", accs)
	}

	// With a passphrase the same words are another wallet.
	words := secretFile(t, dir, "words", wallet.DevMnemonic)
	pass := secretFile(t, dir, "pass", "TREZOR\n")
	out = mustWallet(t, "", "wallet", "import", "--home", filepath.Join(dir, "withpass"), "--mnemonic-file", words, "--passphrase-file", pass, "--password-file", pw, "--json")
	want, err := wallet.DeriveKey(wallet.DevMnemonic, "TREZOR", 0)
	if err != nil {
		t.Fatal(err)
	}
	var res struct{ Address string }
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.Address != crypto.PubkeyToAddress(want.PublicKey).Hex() {
		t.Fatalf("import with passphrase: %v %q", err, out)
	}

	// Bad words fail before any password is asked for, without quoting them.
	bad := secretFile(t, dir, "badwords", strings.Replace(wallet.DevMnemonic, "junk", "test", 1))
	line := mustFail(t, "", []string{"wallet", "import", "--home", filepath.Join(dir, "bad"), "--mnemonic-file", bad}, "not a recovery phrase", "checksum")
	if strings.Contains(line, "test test") || strings.Contains(line, "password") {
		t.Fatalf("bad words: %q; want no words quoted and no password asked for", line)
	}
	if _, err := os.Stat(wallet.DefaultPath(filepath.Join(dir, "bad"))); err == nil {
		t.Fatal("a failed import wrote a wallet file")
	}
	mustFail(t, "", []string{"wallet", "import", "--home", filepath.Join(dir, "x")}, "--mnemonic-file")
}

func TestWalletWrongPasswordAndDamagedFile(t *testing.T) {
	t.Parallel()
	home, pw := importDev(t)
	path := wallet.DefaultPath(home)
	dir := filepath.Dir(pw)
	before := readFile(t, path)

	wrong := secretFile(t, dir, "wrong", "not it\n")
	for _, args := range [][]string{
		{"wallet", "derive", "--home", home, "--password-file", wrong},
		{"wallet", "show-mnemonic", "--home", home, "--password-file", wrong},
		{"wallet", "passwd", "--home", home, "--password-file", wrong, "--new-password-file", pw},
	} {
		line := mustFail(t, "", args, "wrong password: try again")
		if strings.Contains(line, "not it") {
			t.Fatalf("%v: the error quotes the password: %q", args, line)
		}
	}
	if !bytes.Equal(before, readFile(t, path)) {
		t.Fatal("a wrong password changed the wallet file")
	}

	// No terminal and no file: a clear failure instead of a hang.
	mustFail(t, "", []string{"wallet", "derive", "--home", home}, "not a terminal", "--password-file")
	mustFail(t, "", []string{"wallet", "derive", "--home", home, "--password-file", secretFile(t, dir, "empty", "\n")}, "empty line")
	mustFail(t, "", []string{"wallet", "list", "--home", filepath.Join(dir, "none")}, "no wallet in", "cairn wallet new --home")

	// Ciphertext damaged: the right password gives "damaged", not "wrong
	// password", and the file is left as it was.
	var doc map[string]any
	if err := json.Unmarshal(before, &doc); err != nil {
		t.Fatal(err)
	}
	ct := doc["cipher"].(map[string]any)["ciphertext"].(string)
	flipped := ct[:10] + map[bool]string{true: "1", false: "0"}[ct[10] == '0'] + ct[11:]
	damaged := bytes.Replace(before, []byte(ct), []byte(flipped), 1)
	if err := os.WriteFile(path, damaged, 0o600); err != nil {
		t.Fatal(err)
	}
	mustFail(t, "", []string{"wallet", "derive", "--home", home, "--password-file", pw}, "is damaged", path, "backup")
	if !bytes.Equal(damaged, readFile(t, path)) {
		t.Fatal("unlocking a damaged file changed it")
	}

	// Not even JSON: even listing says so and leaves it alone.
	truncated := before[:len(before)/2]
	if err := os.WriteFile(path, truncated, 0o600); err != nil {
		t.Fatal(err)
	}
	mustFail(t, "", []string{"wallet", "list", "--home", home}, "is damaged", "re-import your words")
	mustFail(t, "", []string{"wallet", "derive", "--home", home, "--password-file", pw}, "is damaged")
	if !bytes.Equal(truncated, readFile(t, path)) {
		t.Fatal("reading a truncated file changed it")
	}
}

// flipLastHex changes the last character of a 0x hex string to another
// decimal digit or letter of the same kind and case.
func flipLastHex(s string) string {
	b := []byte(s)
	c := b[len(b)-1]
	if c >= '0' && c <= '9' {
		b[len(b)-1] = '0' + ('9' - c)
	} else {
		b[len(b)-1] = c ^ 0x07 // a<->f, b<->e, c<->d
	}
	return string(b)
}

// One character changed in a non-default address is reported by `wallet
// list`, which needs no password, naming the account; a changed salt or
// password check is "damaged", not "wrong password", whatever password is
// given; only the intact file with a wrong password says "wrong password".
func TestWalletDamagedAddressAndHeader(t *testing.T) {
	t.Parallel()
	home, pw := importDev(t)
	path := wallet.DefaultPath(home)
	mustWallet(t, "", "wallet", "derive", "--home", home, "--password-file", pw, "--label", "savings")
	good := readFile(t, path)
	var doc struct {
		KDF      struct{ Salt, Check string }
		Accounts []struct{ Address string }
	}
	if err := json.Unmarshal(good, &doc); err != nil || len(doc.Accounts) != 2 {
		t.Fatalf("wallet file: %v %+v", err, doc)
	}
	restoreWith := func(old, new string) {
		t.Helper()
		if bytes.Count(good, []byte(old)) != 1 {
			t.Fatalf("%s occurs %d times in the wallet file", old, bytes.Count(good, []byte(old)))
		}
		if err := os.WriteFile(path, bytes.Replace(good, []byte(old), []byte(new), 1), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	addr := doc.Accounts[1].Address
	for _, i := range []int{strings.IndexAny(addr[2:], "0123456789") + 2, strings.IndexAny(addr[2:], "abcdefABCDEF") + 2} {
		changed := flipLastHex(addr[:i+1]) + addr[i+1:]
		restoreWith(addr, changed)
		for _, args := range [][]string{
			{"wallet", "list", "--home", home},
			{"wallet", "list", "--home", home, "--json"},
		} {
			mustFail(t, "", args, "is damaged", path, `account #2 "savings"`, "backup", "re-import your words")
		}
	}

	wrong := secretFile(t, filepath.Dir(pw), "wrong", "not it\n")
	for _, field := range []string{doc.KDF.Salt, doc.KDF.Check} {
		restoreWith(field, flipLastHex(field))
		damaged := readFile(t, path)
		// Listing needs no password and still works.
		if accs := listAccounts(t, home); len(accs) != 2 || accs[1].Label != "savings" {
			t.Fatalf("list of a wallet with a damaged header: %+v", accs)
		}
		for _, p := range []string{pw, wrong} {
			line := mustFail(t, "", []string{"wallet", "derive", "--home", home, "--password-file", p}, "is damaged", path, "salt", "backup", "re-import your words")
			if strings.Contains(line, "wrong password") || strings.Contains(line, "not it") || strings.Contains(line, "dev password") {
				t.Fatalf("damaged header: %q; want damage, no password quoted", line)
			}
		}
		if !bytes.Equal(damaged, readFile(t, path)) {
			t.Fatal("a damaged wallet file was changed")
		}
	}

	if err := os.WriteFile(path, good, 0o600); err != nil {
		t.Fatal(err)
	}
	line := mustFail(t, "", []string{"wallet", "derive", "--home", home, "--password-file", wrong}, "wrong password: try again")
	if strings.Contains(line, "damaged") {
		t.Fatalf("intact file, wrong password: %q", line)
	}
	if accs := listAccounts(t, home); len(accs) != 2 {
		t.Fatalf("list of the intact file: %+v", accs)
	}
}

func TestWalletKeystoreRoundTrip(t *testing.T) {
	t.Parallel()
	home, pw := importDev(t)
	dir := filepath.Dir(pw)
	ksPW := secretFile(t, dir, "kspw", "keystore secret\n")
	ks := filepath.Join(dir, "dev.json")

	mustWallet(t, "", "wallet", "export-keystore", "--home", home, "--password-file", pw, "--account", "1", "--out", ks, "--keystore-password-file", ksPW)
	fi, err := os.Stat(ks)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("keystore file: %v, mode %v; want 0600", err, fi.Mode())
	}
	data := readFile(t, ks)
	// go-ethereum's own keystore code opens it.
	key, err := keystore.DecryptKey(data, "keystore secret")
	if err != nil || key.Address.Hex() != devAddress {
		t.Fatalf("geth cannot decrypt the export: %v", err)
	}
	mustFail(t, "", []string{"wallet", "export-keystore", "--home", home, "--password-file", pw, "--account", devAddress, "--out", ks, "--keystore-password-file", ksPW}, "already exists")
	if !bytes.Equal(data, readFile(t, ks)) {
		t.Fatal("a refused export changed the existing file")
	}
	mustFail(t, "", []string{"wallet", "export-keystore", "--home", home, "--password-file", pw, "--account", "7", "--out", filepath.Join(dir, "x.json"), "--keystore-password-file", ksPW}, "accounts 1 to 1")

	// Into another home: same address, as an imported account.
	other := filepath.Join(dir, "other")
	mustWallet(t, "", "wallet", "new", "--home", other, "--password-file", pw, "--json")
	before := readFile(t, wallet.DefaultPath(other))
	wrong := secretFile(t, dir, "wrongks", "nope\n")
	mustFail(t, "", []string{"wallet", "import-keystore", ks, "--home", other, "--password-file", pw, "--keystore-password-file", wrong}, "wrong keystore password")
	if !bytes.Equal(before, readFile(t, wallet.DefaultPath(other))) {
		t.Fatal("a failed keystore import changed the wallet file")
	}
	mustWallet(t, "", "wallet", "import-keystore", ks, "--home", other, "--password-file", pw, "--keystore-password-file", ksPW, "--label", "from geth")
	accs := listAccounts(t, other)
	if len(accs) != 2 || accs[1].Address != devAddress || !accs[1].Imported || accs[1].Label != "from geth" || accs[1].Path != "" {
		t.Fatalf("list after keystore import: %+v", accs)
	}
	mustFail(t, "", []string{"wallet", "import-keystore", ks, "--home", other, "--password-file", pw, "--keystore-password-file", ksPW}, "already an account")

	// A raw hex key in a file.
	keys, err := wallet.DevKeys(2)
	if err != nil {
		t.Fatal(err)
	}
	keyFile := secretFile(t, dir, "key", "0x"+common.Bytes2Hex(crypto.FromECDSA(keys[1]))+"\n")
	out := mustWallet(t, "", "wallet", "import-key", "--home", other, "--password-file", pw, "--key-file", keyFile)
	if !strings.Contains(out, chain.DevnetAccounts[1].Hex()) || strings.Contains(out, common.Bytes2Hex(crypto.FromECDSA(keys[1]))) {
		t.Fatalf("import-key printed %q, want the address and not the key", out)
	}
	if accs := listAccounts(t, other); len(accs) != 3 || accs[2].Address != chain.DevnetAccounts[1].Hex() || !accs[2].Imported {
		t.Fatalf("list after import-key: %+v", accs)
	}
	mustFail(t, "", []string{"wallet", "import-key", "--home", other, "--password-file", pw, "--key-file", secretFile(t, dir, "badkey", "0x1234\n")}, "64 hex digits")
	human := mustWallet(t, "", "wallet", "list", "--home", other)
	if strings.Count(human, "imported") != 2 {
		t.Fatalf("wallet list does not mark imported accounts:\n%s", human)
	}
}

func TestWalletPasswd(t *testing.T) {
	t.Parallel()
	home, pw := importDev(t)
	newPW := secretFile(t, filepath.Dir(pw), "new", "a new password\n")
	mustWallet(t, "", "wallet", "passwd", "--home", home, "--password-file", pw, "--new-password-file", newPW)
	before := readFile(t, wallet.DefaultPath(home))
	mustFail(t, "", []string{"wallet", "derive", "--home", home, "--password-file", pw}, "wrong password")
	if !bytes.Equal(before, readFile(t, wallet.DefaultPath(home))) {
		t.Fatal("the old password changed the file")
	}
	out := mustWallet(t, "", "wallet", "derive", "--home", home, "--password-file", newPW)
	if !strings.Contains(out, chain.DevnetAccounts[1].Hex()) {
		t.Fatalf("derive with the new password printed %q, want dev account 1", out)
	}
}

// TestWalletReleaseBuildKeepsFullKDF builds the binary without the
// cairntest tag and checks that CAIRN_TEST_KDF_ITERATIONS cannot weaken
// the file it writes.
func TestWalletReleaseBuildKeepsFullKDF(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bin := filepath.Join(dir, "cairn-release")
	args := []string{"build", "-o", bin}
	if raceEnabled {
		args = append(args, "-race")
	}
	build := exec.Command("go", append(args, ".")...)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build release binary: %v\n%s", err, out)
	}
	home := filepath.Join(dir, "home")
	pw := secretFile(t, dir, "pw", "pw\n")
	if _, errOut, code := runBin(t, bin, "", "wallet", "new", "--home", home, "--password-file", pw, "--json"); code != 0 {
		t.Fatalf("release wallet new: exit %d: %s", code, errOut)
	}
	var doc struct {
		KDF struct{ Iterations int } `json:"kdf"`
	}
	if err := json.Unmarshal(readFile(t, wallet.DefaultPath(home)), &doc); err != nil || doc.KDF.Iterations != wallet.DefaultKDFIterations {
		t.Fatalf("release build wrote %d iterations (%v), want %d", doc.KDF.Iterations, err, wallet.DefaultKDFIterations)
	}
}

// TestTxSendValidatesFirst checks that mistakes in the request fail before
// the password is asked for (stdin is not a terminal and no password file
// is given, so reaching the prompt would fail differently).
func TestTxSendValidatesFirst(t *testing.T) {
	t.Parallel()
	home, _ := importDev(t)
	ok := "0x000000000000000000000000000000000000dEaD"
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--to", "0x000000000000000000000000000000000000DEAd", "--value", "1"}, "EIP-55 checksum"},
		{[]string{"--to", "0xdead", "--value", "1"}, "--to"},
		{[]string{"--value", "1"}, "--to is required"},
		{[]string{"--to", ok, "--value", "1.2.3"}, "--value"},
		{[]string{"--to", ok, "--value", "-1"}, "--value"},
		{[]string{"--to", ok, "--value", "0.0000000000000000001"}, "--value"},
		{[]string{"--to", ok}, "--value is required"},
		{[]string{"--to", ok, "--value", "1", "--tip", "x"}, "--tip"},
		{[]string{"--to", ok, "--value", "1", "--data", "0xabc"}, "--data"},
		{[]string{"--to", ok, "--value", "1", "--from", "9"}, "accounts 1 to 1"},
		{[]string{"--to", ok, "--value", "1", "--api", "127.0.0.1:1"}, "cairn node"},
		{[]string{"--to", ok, "--value", "1", "--bogus"}, "unknown flag"},
	} {
		args := append([]string{"tx", "send", "--home", home}, c.args...)
		line := mustFail(t, "", args, c.want)
		if strings.Contains(line, "password") || strings.Contains(line, "terminal") {
			t.Fatalf("%v: %q; want the mistake reported before any password prompt", c.args, line)
		}
	}
}

func TestTxSendWait(t *testing.T) {
	t.Parallel()
	home, pw := importDev(t)
	p := startNode(t, t.TempDir())
	ctx := context.Background()
	want, _ := new(big.Int).SetString("1500000000000000000", 10)

	for i, c := range []struct {
		name  string
		extra []string
		typ   uint8
	}{
		{"eip1559", []string{"--from", "1"}, 2},
		{"legacy", []string{"--from", devAddress, "--legacy"}, 0},
	} {
		to := common.BigToAddress(big.NewInt(int64(0xc0ffee + i)))
		args := append([]string{"tx", "send", "--home", home, "--password-file", pw, "--to", to.Hex(), "--value", "1.5",
			"--wait", "--json", "--api", p.addr}, c.extra...)
		out := mustWallet(t, "", args...)
		var res sendResult
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("%s: %v: %q", c.name, err, out)
		}
		if res.Type != c.typ || res.From != devAddress || res.Tx == nil || res.Tx.Receipt == nil || res.Tx.Receipt.Status != 1 ||
			res.Tx.BlockHeight == nil || res.FeePaid == nil || res.FeePaid.Int().Sign() <= 0 {
			t.Fatalf("%s: result %s", c.name, out)
		}
		acc, err := p.client.Account(ctx, to)
		if err != nil || acc.Balance.Int().Cmp(want) != 0 {
			t.Fatalf("%s: recipient after send: %v %+v; want 1.5 CRN", c.name, err, acc)
		}
		tx, err := p.client.Tx(ctx, res.Hash)
		if err != nil || tx.Type != c.typ || tx.Status != api.TxIncluded {
			t.Fatalf("%s: node's view of %s: %v %+v", c.name, res.Hash.Hex(), err, tx)
		}
	}

	// The human form prints the receipt.
	out := mustWallet(t, "", "tx", "send", "--home", home, "--password-file", pw, "--to", chain.DevnetAccounts[2].Hex(),
		"--value", "0.25", "--wait", "--api", p.addr)
	for _, w := range []string{"status         success", "block", "gas used       21000", "fee paid"} {
		if !strings.Contains(out, w) {
			t.Fatalf("tx send --wait output lacks %q:\n%s", w, out)
		}
	}
	// A reused nonce is refused by the node in one line.
	mustFail(t, "", []string{"tx", "send", "--home", home, "--password-file", pw, "--to", chain.DevnetAccounts[2].Hex(),
		"--value", "1", "--nonce", "0", "--api", p.addr}, "refused", "nonce")
	// More than the balance is refused before the password.
	mustFail(t, "", []string{"tx", "send", "--home", home, "--to", chain.DevnetAccounts[2].Hex(),
		"--value", "1000000000", "--api", p.addr}, "fund the account")
}
