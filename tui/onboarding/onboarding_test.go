package onboarding

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cairn/tui/common"
	"cairn/tui/tuitest"
	"cairn/wallet"

	tea "charm.land/bubbletea/v2"
)

// fast keeps wallet crypto cheap in tests.
var fast = []wallet.Option{wallet.WithKDFIterations(1000), wallet.WithKeystoreScrypt(2, 1)}

const devFirst = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"

// fixedMnemonic is the phrase the tests' "random" generator returns.
func fixedMnemonic(t testing.TB, words int) string {
	t.Helper()
	entropy := make([]byte, words/3*4)
	for i := range entropy {
		entropy[i] = byte(i*37 + 11)
	}
	m, err := wallet.MnemonicFromEntropy(entropy)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// newFirstRun returns the first-run screen with fixed randomness: the
// words above and positions 2, 7 and 11 asked back.
func newFirstRun(t testing.TB, path string, w, h int) *Model {
	t.Helper()
	c := common.NewCommon()
	c.Width, c.Height = w, h-4
	m := New(c, path, fast...).(*Model)
	m.newMnemonic = func(n int) (string, error) { return fixedMnemonic(t, n), nil }
	m.pick = func(n, k int) ([]int, error) { return []int{1, 6, 10}, nil }
	m.SetSize(w, h-2) // the root gives the gate all but its title lines
	return m
}

func drive(t *testing.T, s common.Screen, msgs ...tea.Msg) (common.Screen, []tea.Msg) {
	t.Helper()
	return tuitest.Drive(t, s, msgs...)
}

func keys(names ...string) []tea.Msg {
	var out []tea.Msg
	for _, n := range names {
		out = append(out, tuitest.Key(n))
	}
	return out
}

func typed(s string, then ...string) []tea.Msg {
	return append(tuitest.Type(s), keys(then...)...)
}

func readyWallet(t *testing.T, msgs []tea.Msg) *wallet.Wallet {
	t.Helper()
	for _, m := range msgs {
		if r, ok := m.(common.WalletReadyMsg); ok {
			return r.Wallet
		}
	}
	return nil
}

func plain(s common.Screen) string { return tuitest.Plain(s.View()) }

func checkArea(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) > h {
		t.Fatalf("view has %d lines, area is %d", len(lines), h)
	}
	for i, l := range lines {
		if n := len([]rune(tuitest.Plain(l))); n > w {
			t.Fatalf("line %d is %d cells wide, area is %d: %q", i, n, w, l)
		}
	}
}

func golden(t *testing.T, s common.Screen, w, h int) {
	t.Helper()
	v := s.View()
	checkArea(t, v, w, h-2)
	tuitest.Golden(t, v)
}

const goldenPath = "/home/you/.cairn/wallet.json"

func TestGoldenChoose(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		golden(t, newFirstRun(t, goldenPath, w, h), w, h)
	})
}

func TestGoldenShowWords(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		s, _ := drive(t, newFirstRun(t, goldenPath, w, h), keys("enter")...)
		golden(t, s, w, h)
	})
}

func TestGoldenShowWords24(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		s, _ := drive(t, newFirstRun(t, goldenPath, w, h), keys("w", "enter")...)
		golden(t, s, w, h)
	})
}

func TestGoldenConfirmWords(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		m := newFirstRun(t, goldenPath, w, h)
		s, _ := drive(t, m, keys("enter", "enter")...)
		s, _ = drive(t, s, typed(m.words[1], "enter")...)
		s, _ = drive(t, s, typed("wrong", "enter")...)
		s, _ = drive(t, s, typed(m.words[10], "enter")...)
		golden(t, s, w, h)
	})
}

func TestGoldenPassword(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		m := newFirstRun(t, goldenPath, w, h)
		s, _ := drive(t, m, keys("enter", "enter")...)
		for _, p := range m.positions {
			s, _ = drive(t, s, typed(m.words[p], "enter")...)
		}
		s, _ = drive(t, s, typed("correct horse", "enter")...)
		s, _ = drive(t, s, typed("correct house", "enter")...)
		golden(t, s, w, h)
	})
}

func TestGoldenImportWords(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		s, _ := drive(t, newFirstRun(t, goldenPath, w, h), keys("down", "enter")...)
		golden(t, s, w, h)
	})
}

func TestGoldenKeystorePath(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		s, _ := drive(t, newFirstRun(t, goldenPath, w, h), keys("down", "down", "enter")...)
		golden(t, s, w, h)
	})
}

func TestGoldenEncrypting(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		m := newFirstRun(t, goldenPath, w, h)
		m.step, m.busy = stepBusy, "Encrypting wallet…"
		m.spin.Start()
		golden(t, m, w, h)
	})
}

func TestCreateFlow(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wallet.json")
	m := newFirstRun(t, path, 80, 24)
	want := fixedMnemonic(t, 12)
	s, _ := drive(t, m, keys("enter")...)
	view := plain(s)
	for i, w := range strings.Fields(want) {
		if !strings.Contains(view, w) {
			t.Fatalf("word %d (%s) is not shown:\n%s", i+1, w, view)
		}
	}
	if !strings.Contains(view, "Write these 12 words down") {
		t.Fatalf("no warning with the words:\n%s", view)
	}
	if s.Capturing() {
		t.Fatal("the words step takes text")
	}

	// Confirm: one wrong word, then all right.
	s, _ = drive(t, s, keys("enter")...)
	if m.step != stepConfirm || !s.Capturing() {
		t.Fatalf("step %v after showing the words, capturing %v", m.step, s.Capturing())
	}
	words := strings.Fields(want)
	s, _ = drive(t, s, typed(words[1], "enter")...)
	s, _ = drive(t, s, typed("zoo", "enter")...)
	s, _ = drive(t, s, typed(words[10], "enter")...)
	if m.step != stepConfirm || !strings.Contains(m.err, "Word #7 does not match") {
		t.Fatalf("after a wrong word: step %v, err %q", m.step, m.err)
	}
	if strings.Contains(m.err, words[6]) {
		t.Fatal("the error gives the right word away")
	}
	if m.focus != 1 || m.inputs[1].Value() != "" || m.inputs[0].Value() != words[1] {
		t.Fatal("the wrong field is not cleared and focused, or the right ones were lost")
	}
	s, _ = drive(t, s, typed(strings.ToUpper(words[6]), "enter")...)
	if m.step != stepPassword {
		t.Fatalf("step %v after the right words, err %q", m.step, m.err)
	}

	// Password: too short, mismatch, then right.
	s, _ = drive(t, s, typed("short", "enter")...)
	s, _ = drive(t, s, typed("short", "enter")...)
	if !strings.Contains(m.err, "at least 8") {
		t.Fatalf("short password: err %q", m.err)
	}
	s, _ = drive(t, s, typed("correct horse", "enter")...)
	s, out := drive(t, s, typed("correct horsE", "enter")...)
	if !strings.Contains(m.err, "do not match") || readyWallet(t, out) != nil {
		t.Fatalf("mismatch: err %q", m.err)
	}
	if strings.Contains(plain(s), "correct") {
		t.Fatal("the password is echoed")
	}
	s, _ = drive(t, s, typed("correct horse", "enter")...)
	_, out = drive(t, s, typed("correct horse", "enter")...)
	w := readyWallet(t, out)
	if w == nil {
		t.Fatalf("no WalletReadyMsg; step %v err %q", m.step, m.err)
	}
	if w.Locked() {
		t.Fatal("the ready wallet is locked")
	}
	if m.mnemonic != "" || m.words != nil {
		t.Fatal("the words are still held after the wallet was written")
	}

	again, err := wallet.Open(path, fast...)
	if err != nil {
		t.Fatal(err)
	}
	if err := again.Unlock("wrong password"); err == nil {
		t.Fatal("the file opens with a wrong password")
	}
	if err := again.Unlock("correct horse"); err != nil {
		t.Fatalf("reopen with the password: %v", err)
	}
	if got, _ := again.Mnemonic(); got != want {
		t.Fatal("the file holds other words than were shown")
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("wallet file: %v %v", info, err)
	}
}

func TestTwentyFourWords(t *testing.T) {
	m := newFirstRun(t, filepath.Join(t.TempDir(), "w.json"), 80, 24)
	var asked int
	m.newMnemonic = func(n int) (string, error) { asked = n; return fixedMnemonic(t, n), nil }
	s, _ := drive(t, m, keys("w", "enter")...)
	if asked != 24 || len(m.words) != 24 {
		t.Fatalf("asked for %d words, got %d", asked, len(m.words))
	}
	if !strings.Contains(plain(s), "24 "+m.words[23]) {
		t.Fatalf("word 24 not shown:\n%s", plain(s))
	}
}

func TestEscGoesBack(t *testing.T) {
	m := newFirstRun(t, filepath.Join(t.TempDir(), "w.json"), 80, 24)
	s, _ := drive(t, m, keys("enter", "enter")...)
	if m.step != stepConfirm {
		t.Fatalf("step %v", m.step)
	}
	s, _ = drive(t, s, keys("esc")...)
	if m.step != stepWords || len(m.words) != 12 {
		t.Fatalf("esc from confirm: step %v", m.step)
	}
	s, _ = drive(t, s, keys("esc")...)
	if m.step != stepChoose || m.mnemonic != "" {
		t.Fatalf("esc from words: step %v, words kept %v", m.step, m.mnemonic != "")
	}
	s, _ = drive(t, s, keys("down", "enter", "esc")...)
	if m.step != stepChoose {
		t.Fatalf("esc from import: step %v", m.step)
	}
	_ = s
}

func TestImportDevMnemonic(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wallet.json")
	m := newFirstRun(t, path, 80, 24)
	s, _ := drive(t, m, keys("down", "enter")...)
	if m.step != stepImportWords || !s.Capturing() {
		t.Fatalf("step %v", m.step)
	}
	// Pasted over several lines, with odd spacing and case.
	paste := "Test test test test\n test test test test\r\ntest  test test JUNK\n"
	s, _ = drive(t, s, tea.PasteMsg{Content: paste}, tuitest.Key("enter"))
	if m.err != "" || m.focus != 1 {
		t.Fatalf("after the words: err %q focus %d", m.err, m.focus)
	}
	s, _ = drive(t, s, keys("enter")...) // no passphrase
	if m.step != stepPassword || !strings.Contains(plain(s), devFirst) {
		t.Fatalf("step %v; password step does not show the first address:\n%s", m.step, plain(s))
	}
	s, _ = drive(t, s, typed("password1", "enter")...)
	_, out := drive(t, s, typed("password1", "enter")...)
	w := readyWallet(t, out)
	if w == nil {
		t.Fatalf("no WalletReadyMsg: %q", m.err)
	}
	if got := w.Default().Address.Hex(); got != devFirst {
		t.Fatalf("default account %s, want %s", got, devFirst)
	}
}

func TestImportWithPassphraseDiffers(t *testing.T) {
	m := newFirstRun(t, filepath.Join(t.TempDir(), "w.json"), 80, 24)
	s, _ := drive(t, m, keys("down", "enter")...)
	s, _ = drive(t, s, tea.PasteMsg{Content: wallet.DevMnemonic}, tuitest.Key("enter"))
	drive(t, s, typed("extra", "enter")...)
	if m.step != stepPassword || m.firstAddr == "" || m.firstAddr == devFirst {
		t.Fatalf("a passphrase gave address %q (step %v)", m.firstAddr, m.step)
	}
}

func TestImportRejectsBadWords(t *testing.T) {
	m := newFirstRun(t, filepath.Join(t.TempDir(), "w.json"), 80, 24)
	s, _ := drive(t, m, keys("down", "enter")...)
	bad := "test test test test test test test test test test test test"
	s, _ = drive(t, s, typed(bad, "enter")...)
	if m.step != stepImportWords || !strings.Contains(m.err, "checksum") {
		t.Fatalf("bad checksum: step %v err %q", m.step, m.err)
	}
	if strings.Contains(m.err, "test") {
		t.Fatalf("the error repeats the words: %q", m.err)
	}
	s, _ = drive(t, s, keys("ctrl+u")...)
	_, _ = drive(t, s, typed("abandon banana", "enter")...)
	if !strings.Contains(m.err, "2 words") || strings.Contains(m.err, "banana") {
		t.Fatalf("short phrase: err %q", m.err)
	}
}

// keystoreFile writes a keystore of the dev mnemonic's account 3.
func keystoreFile(t *testing.T, password string) (string, string) {
	t.Helper()
	dir := t.TempDir()
	src, err := wallet.Create(filepath.Join(dir, "src.json"), wallet.DevMnemonic, "", "source pw", fast...)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if _, err := src.Derive(""); err != nil {
			t.Fatal(err)
		}
	}
	acc := src.Accounts()[3]
	data, err := src.ExportKeystore(acc.Address, password)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "key.json")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p, acc.Address.Hex()
}

func TestKeystoreFlow(t *testing.T) {
	ksPath, ksAddr := keystoreFile(t, "keystore pw")
	path := filepath.Join(t.TempDir(), "wallet.json")
	m := newFirstRun(t, path, 80, 24)
	s, _ := drive(t, m, keys("down", "down", "enter")...)
	if !strings.Contains(plain(s), "make a new phrase") {
		t.Fatalf("the keystore flow does not explain the new phrase:\n%s", plain(s))
	}
	s, _ = drive(t, s, typed(filepath.Join(t.TempDir(), "missing.json"), "enter")...)
	if m.step != stepKeystorePath || !strings.Contains(m.err, "Cannot read") {
		t.Fatalf("missing file: step %v err %q", m.step, m.err)
	}
	s, _ = drive(t, s, keys("ctrl+u")...)
	s, _ = drive(t, s, typed(ksPath, "enter")...)
	// The keystore's password is checked before anything else is asked.
	s, _ = drive(t, s, typed("not the pw", "enter")...)
	if m.step != stepKeystorePassword || !strings.Contains(m.err, "does not open the keystore") || m.mnemonic != "" {
		t.Fatalf("a wrong keystore password: step %v err %q (words made: %v)", m.step, m.err, m.mnemonic != "")
	}
	if strings.Contains(plain(s), "not the pw") {
		t.Fatal("the keystore password is shown")
	}
	s, _ = drive(t, s, typed("keystore pw", "enter")...)
	if m.step != stepWords {
		t.Fatalf("step %v after the right keystore password: %q", m.step, m.err)
	}
	s, _ = drive(t, s, keys("enter")...)
	for _, p := range m.positions {
		s, _ = drive(t, s, typed(m.words[p], "enter")...)
	}
	if !strings.Contains(plain(s), "Key to import "+ksAddr) {
		t.Fatalf("the password step does not show the key to import:\n%s", plain(s))
	}
	s, _ = drive(t, s, typed("wallet password", "enter")...)
	_, out := drive(t, s, typed("wallet password", "enter")...)
	w := readyWallet(t, out)
	if w == nil {
		t.Fatalf("no WalletReadyMsg: step %v err %q", m.step, m.err)
	}
	if got := w.Default().Address.Hex(); got != ksAddr {
		t.Fatalf("default %s, want the keystore's %s", got, ksAddr)
	}
	if n := len(w.Accounts()); n != 2 {
		t.Fatalf("%d accounts, want the HD one and the imported one", n)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the wallet was not written: %v", err)
	}
}

// TestKeystoreRetryAfterCreate: a keystore that opened at the check but
// not at the import (its file changed meanwhile: here, the password kept
// is made wrong) leaves the created wallet and asks again.
func TestKeystoreRetryAfterCreate(t *testing.T) {
	ksPath, ksAddr := keystoreFile(t, "keystore pw")
	path := filepath.Join(t.TempDir(), "wallet.json")
	m := newFirstRun(t, path, 80, 24)
	s, _ := drive(t, m, keys("down", "down", "enter")...)
	s, _ = drive(t, s, typed(ksPath, "enter")...)
	s, _ = drive(t, s, typed("keystore pw", "enter")...)
	s, _ = drive(t, s, keys("enter")...)
	for _, p := range m.positions {
		s, _ = drive(t, s, typed(m.words[p], "enter")...)
	}
	m.keystorePass = "changed"
	s, _ = drive(t, s, typed("wallet password", "enter")...)
	s, out := drive(t, s, typed("wallet password", "enter")...)
	if readyWallet(t, out) != nil || m.step != stepKeystoreRetry || !strings.Contains(m.err, "does not open the keystore") {
		t.Fatalf("a failed import: step %v err %q", m.step, m.err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the wallet was not written before the retry: %v", err)
	}
	_, out = drive(t, s, typed("keystore pw", "enter")...)
	w := readyWallet(t, out)
	if w == nil || w.Default().Address.Hex() != ksAddr {
		t.Fatalf("after the retry: %v %q", w, m.err)
	}
}

func TestKeystoreRejectsNonKeystore(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.json")
	os.WriteFile(p, []byte(`{"hello":"world"}`), 0o600)
	if _, err := readKeystoreFile(p); err == nil || !strings.Contains(err.Error(), "not a keystore") {
		t.Fatalf("non-keystore: %v", err)
	}
	big := filepath.Join(t.TempDir(), "big.json")
	os.WriteFile(big, make([]byte, maxKeystoreFile+1), 0o600)
	if _, err := readKeystoreFile(big); err == nil {
		t.Fatal("a huge file was read as a keystore")
	}
}

func TestPickPositions(t *testing.T) {
	for i := 0; i < 50; i++ {
		p, err := pickPositions(12, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(p) != 3 || p[0] >= p[1] || p[1] >= p[2] || p[0] < 0 || p[2] >= 12 {
			t.Fatalf("positions %v", p)
		}
	}
	if _, err := pickPositions(2, 3); err == nil {
		t.Fatal("picked 3 of 2")
	}
}

func TestCapturing(t *testing.T) {
	m := newFirstRun(t, goldenPath, 80, 24)
	if m.Capturing() {
		t.Fatal("the choice takes text")
	}
	drive(t, m, keys("down", "enter")...)
	if !m.Capturing() {
		t.Fatal("the words field does not take text")
	}
}

func TestGoldenKeystorePassword(t *testing.T) {
	ksPath, _ := keystoreFile(t, "keystore pw")
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		m := newFirstRun(t, goldenPath, w, h)
		s, _ := drive(t, m, keys("down", "down", "enter")...)
		s, _ = drive(t, s, typed(ksPath, "enter")...)
		s, _ = drive(t, s, tuitest.Type("keystore pw")...)
		if m.step != stepKeystorePassword {
			t.Fatalf("step %v: %q", m.step, m.err)
		}
		golden(t, s, w, h)
	})
}
