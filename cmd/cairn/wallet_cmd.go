package main

import (
	"crypto/ecdsa"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"cairn/node/api"
	"cairn/wallet"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/spf13/cobra"
)

func init() { extraCommands = append(extraCommands, newWalletCmd) }

// walletFlags are the flags the `cairn wallet` subcommands share.
type walletFlags struct {
	home         string
	json         bool
	passwordFile string
}

// path is the wallet file of the home directory.
func (wf *walletFlags) path() string { return wallet.DefaultPath(wf.home) }

// password is where the wallet password comes from.
func (wf *walletFlags) password() secretSource {
	return secretSource{what: "wallet password", flag: "--password-file", file: wf.passwordFile}
}

// addPasswordFlag gives a subcommand --password-file.
func (wf *walletFlags) addPasswordFlag(cmd *cobra.Command) {
	cmd.Flags().StringVar(&wf.passwordFile, "password-file", "", "read the wallet password from the first line of this file instead of prompting")
}

// open reads the wallet's public part; no password is needed.
func (wf *walletFlags) open() (*wallet.Wallet, error) {
	w, err := wallet.Open(wf.path(), walletOptions()...)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("no wallet in %s: create one with `cairn wallet new --home %s` or import your words with `cairn wallet import --home %s`", wf.home, wf.home, wf.home)
		}
		return nil, wf.explain(err)
	}
	return w, nil
}

// unlock opens the wallet and unlocks it with the wallet password.
func (wf *walletFlags) unlock() (*wallet.Wallet, error) {
	w, err := wf.open()
	if err != nil {
		return nil, err
	}
	pw, err := wf.password().existing()
	if err != nil {
		return nil, err
	}
	if err := w.Unlock(pw); err != nil {
		return nil, wf.explain(err)
	}
	return w, nil
}

// explain turns the wallet package's errors into one line that says what
// to do; others pass unchanged.
func (wf *walletFlags) explain(err error) error {
	switch {
	case errors.Is(err, wallet.ErrWrongPassword):
		return errors.New("wrong password: try again")
	case errors.Is(err, wallet.ErrCorrupt):
		detail := "it does not decode"
		if _, after, ok := strings.Cut(err.Error(), wallet.ErrCorrupt.Error()+": "); ok {
			detail = after
		}
		return fmt.Errorf("wallet file %s is damaged (%s): restore it from a backup, or move it aside and re-import your words with `cairn wallet import`", wf.path(), detail)
	case errors.Is(err, wallet.ErrUnsupportedVersion):
		return fmt.Errorf("wallet file %s was written by a newer Cairn: upgrade Cairn to open it", wf.path())
	case errors.Is(err, wallet.ErrAccountExists):
		return errors.New("that key is already an account of this wallet: nothing changed (see `cairn wallet list`)")
	}
	return err
}

// refuseExisting fails when the home already has a wallet file.
func (wf *walletFlags) refuseExisting() error {
	if _, err := os.Lstat(wf.path()); err == nil {
		return fmt.Errorf("a wallet already exists at %s: use it, or choose another --home", wf.path())
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("check for a wallet at %s: %w", wf.path(), err)
	}
	return nil
}

// create writes a new wallet file for mnemonic after asking for a new
// password, and returns it unlocked.
func (wf *walletFlags) create(mnemonic, passphrase string) (*wallet.Wallet, error) {
	pw, err := wf.password().fresh()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(wf.home, 0o700); err != nil {
		return nil, fmt.Errorf("create home %s: %w", wf.home, err)
	}
	w, err := wallet.Create(wf.path(), mnemonic, passphrase, pw, walletOptions()...)
	if err != nil {
		if errors.Is(err, wallet.ErrExists) {
			return nil, wf.refuseExisting()
		}
		return nil, wf.explain(err)
	}
	return w, nil
}

// flagErrorLine makes a flag parsing error one line that points at --help.
func flagErrorLine(c *cobra.Command, err error) error {
	return usageErr("%v (see `%s --help`)", err, c.CommandPath())
}

// newWalletCmd is `cairn wallet …`: create, import, list and manage the HD
// wallet of a home directory.
func newWalletCmd() *cobra.Command {
	wf := &walletFlags{}
	cmd := &cobra.Command{
		Use:   "wallet",
		Short: "Create, import and manage the HD wallet (BIP-39 words, accounts, keystores)",
		Long: "wallet manages <home>/wallet.json: one BIP-39 recovery phrase with accounts derived\n" +
			"on m/44'/60'/0'/0/i (the same addresses as MetaMask and Ledger), plus imported keys,\n" +
			"encrypted under your password. Passwords are asked for without echo, or read from the\n" +
			"first line of the file given with --password-file.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.SetFlagErrorFunc(flagErrorLine)
	pf := cmd.PersistentFlags()
	pf.StringVar(&wf.home, "home", defaultHome(), "Cairn home directory holding wallet.json")
	pf.BoolVar(&wf.json, "json", false, "print the result as JSON")
	cmd.AddCommand(
		newWalletNewCmd(wf), newWalletImportCmd(wf), newWalletListCmd(wf), newWalletDeriveCmd(wf),
		newWalletImportKeyCmd(wf), newWalletExportKeystoreCmd(wf), newWalletImportKeystoreCmd(wf),
		newWalletPasswdCmd(wf), newWalletShowMnemonicCmd(wf),
	)
	return cmd
}

// accountJSON is one account in --json output.
type accountJSON struct {
	Number   int    `json:"number"` // 1-based position in the list: what --from and --account take
	Label    string `json:"label"`
	Address  string `json:"address"`        // EIP-55 checksummed
	Path     string `json:"path,omitempty"` // HD derivation path; absent for imported keys
	Imported bool   `json:"imported"`
	Default  bool   `json:"default"`
}

// accountsJSON lists a wallet's accounts for --json.
func accountsJSON(w *wallet.Wallet) []accountJSON {
	def := w.Default().Address
	var out []accountJSON
	for i, a := range w.Accounts() {
		out = append(out, accountJSON{Number: i + 1, Label: a.Label, Address: a.Address.Hex(), Path: a.Path, Imported: !a.HD, Default: a.Address == def})
	}
	return out
}

// accountJSONOf returns the --json form of the account with address addr.
func accountJSONOf(w *wallet.Wallet, addr common.Address) accountJSON {
	for _, a := range accountsJSON(w) {
		if a.Address == addr.Hex() {
			return a
		}
	}
	return accountJSON{Address: addr.Hex()}
}

// printJSON writes v as indented JSON.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// printAccountLine writes one account as `verb account #n "label" address (path)`.
func printAccountLine(w io.Writer, verb string, a accountJSON) {
	where := a.Path
	if a.Imported {
		where = "imported"
	}
	fmt.Fprintf(w, "%s account #%d %q %s (%s)\n", verb, a.Number, a.Label, a.Address, where)
}

// printWords writes a recovery phrase numbered, four words a line.
func printWords(w io.Writer, mnemonic string) {
	words := strings.Fields(mnemonic)
	var line strings.Builder
	for i, word := range words {
		fmt.Fprintf(&line, "%3d. %-10s", i+1, word)
		if (i+1)%4 == 0 || i == len(words)-1 {
			fmt.Fprintln(w, strings.TrimRight(line.String(), " "))
			line.Reset()
		}
	}
}

// resolveAccount finds the account a flag names by its number in `cairn
// wallet list` (1 is the first) or its 0x address; "" means the default
// account.
func resolveAccount(w *wallet.Wallet, ref, flag string) (wallet.Account, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return w.Default(), nil
	}
	accs := w.Accounts()
	if strings.HasPrefix(ref, "0x") || strings.HasPrefix(ref, "0X") || len(ref) == 2*common.AddressLength {
		addr, err := api.ParseAddress(ref)
		if err != nil {
			return wallet.Account{}, usageErr("%s: %s", flag, apiMessage(err))
		}
		for _, a := range accs {
			if a.Address == addr {
				return a, nil
			}
		}
		return wallet.Account{}, fmt.Errorf("%s %s is not an account of this wallet: see `cairn wallet list`", flag, addr.Hex())
	}
	n, err := strconv.Atoi(ref)
	if err != nil {
		return wallet.Account{}, usageErr("%s %q: want an account number from `cairn wallet list` or a 0x address", flag, ref)
	}
	if n < 1 || n > len(accs) {
		return wallet.Account{}, fmt.Errorf("%s %d: the wallet has accounts 1 to %d (see `cairn wallet list`)", flag, n, len(accs))
	}
	return accs[n-1], nil
}

func newWalletNewCmd(wf *walletFlags) *cobra.Command {
	var (
		words          int
		passphraseFile string
		showMnemonic   bool
	)
	cmd := &cobra.Command{
		Use:   "new",
		Short: "Create a wallet with new recovery words (shown once)",
		Long: "new creates <home>/wallet.json from fresh BIP-39 words and shows the words once.\n" +
			"Write them down: they are the only way to restore the wallet. With --json the words\n" +
			"are printed only if --show-mnemonic is given too.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if words != 12 && words != 24 {
				return usageErr("--words %d: want 12 or 24", words)
			}
			if err := wf.refuseExisting(); err != nil {
				return err
			}
			passphrase, err := readPassphrase(passphraseFile)
			if err != nil {
				return err
			}
			mnemonic, err := wallet.NewMnemonic(words)
			if err != nil {
				return err
			}
			w, err := wf.create(mnemonic, passphrase)
			if err != nil {
				return err
			}
			defer w.Lock()
			acc := w.Default()
			out := cmd.OutOrStdout()
			if wf.json {
				res := map[string]any{"wallet": wf.path(), "address": acc.Address.Hex(), "path": acc.Path}
				if showMnemonic {
					res["mnemonic"] = mnemonic
				} else {
					fmt.Fprintln(cmd.ErrOrStderr(), "the recovery words were not printed: see them with `cairn wallet show-mnemonic`")
				}
				return printJSON(out, res)
			}
			fmt.Fprintf(out, "Created %s\nAccount #1 %s (%s)\n\n", wf.path(), acc.Address.Hex(), acc.Path)
			fmt.Fprintf(out, "Your %d recovery words. WRITE THESE DOWN, in order, and keep them offline.\n", words)
			fmt.Fprintln(out, "Anyone who has them controls your funds; without them a lost wallet file cannot be restored.")
			fmt.Fprintln(out)
			printWords(out, mnemonic)
			fmt.Fprintln(out)
			if passphrase != "" {
				fmt.Fprintln(out, "You also used a passphrase: it is not stored, and the words alone do not restore this wallet without it.")
			}
			fmt.Fprintln(out, "They are not shown again unless you ask with `cairn wallet show-mnemonic`.")
			return nil
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&words, "words", 12, "number of recovery words: 12 or 24")
	fl.StringVar(&passphraseFile, "passphrase-file", "", "optional BIP-39 passphrase (the \"25th word\") from the first line of this file")
	fl.BoolVar(&showMnemonic, "show-mnemonic", false, "with --json, include the recovery words")
	wf.addPasswordFlag(cmd)
	return cmd
}

// readPassphrase reads an optional BIP-39 passphrase file ("" means none).
func readPassphrase(path string) (string, error) {
	if path == "" {
		return "", nil
	}
	return readFirstLine(path, "passphrase")
}

func newWalletImportCmd(wf *walletFlags) *cobra.Command {
	var mnemonicFile, passphraseFile string
	cmd := &cobra.Command{
		Use:   "import --mnemonic-file FILE",
		Short: "Create the wallet from recovery words you already have",
		Long: "import creates <home>/wallet.json from existing BIP-39 words read from --mnemonic-file\n" +
			"(\"-\" reads standard input). The same words give the same addresses as MetaMask,\n" +
			"ethers and Ledger. Give the passphrase file if the words were used with one.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if mnemonicFile == "" {
				return usageErr("--mnemonic-file is required: a file holding your recovery words (\"-\" for standard input)")
			}
			if err := wf.refuseExisting(); err != nil {
				return err
			}
			data, err := readSmallFile(mnemonicFile, "recovery words")
			if err != nil {
				return err
			}
			mnemonic := wallet.NormalizeMnemonic(string(data))
			clear(data)
			if err := wallet.ValidateMnemonic(mnemonic); err != nil {
				return fmt.Errorf("the words in %s are not a recovery phrase (%v): check them and try again", mnemonicFile, strings.TrimPrefix(err.Error(), wallet.ErrInvalidMnemonic.Error()+": "))
			}
			passphrase, err := readPassphrase(passphraseFile)
			if err != nil {
				return err
			}
			w, err := wf.create(mnemonic, passphrase)
			if err != nil {
				return err
			}
			defer w.Lock()
			a := accountJSONOf(w, w.Default().Address)
			if wf.json {
				return printJSON(cmd.OutOrStdout(), map[string]any{"wallet": wf.path(), "address": a.Address, "path": a.Path})
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Imported into %s\n", wf.path())
			printAccountLine(cmd.OutOrStdout(), "First", a)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&mnemonicFile, "mnemonic-file", "", "file holding the recovery words (\"-\" reads standard input)")
	fl.StringVar(&passphraseFile, "passphrase-file", "", "optional BIP-39 passphrase from the first line of this file")
	wf.addPasswordFlag(cmd)
	return cmd
}

func newWalletListCmd(wf *walletFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the wallet's accounts (no password needed)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w, err := wf.open()
			if err != nil {
				return err
			}
			accs := accountsJSON(w)
			if wf.json {
				return printJSON(cmd.OutOrStdout(), accs)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "\t#\tLABEL\tADDRESS\tPATH")
			for _, a := range accs {
				mark, where := "", a.Path
				if a.Default {
					mark = "*"
				}
				if a.Imported {
					where = "imported"
				}
				fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\n", mark, a.Number, a.Label, a.Address, where)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), "(* = default account)")
			return nil
		},
	}
}

func newWalletDeriveCmd(wf *walletFlags) *cobra.Command {
	var label string
	cmd := &cobra.Command{
		Use:   "derive",
		Short: "Add the next account derived from the recovery words",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w, err := wf.unlock()
			if err != nil {
				return err
			}
			defer w.Lock()
			acc, err := w.Derive(label)
			if err != nil {
				return wf.explain(err)
			}
			a := accountJSONOf(w, acc.Address)
			if wf.json {
				return printJSON(cmd.OutOrStdout(), a)
			}
			printAccountLine(cmd.OutOrStdout(), "New", a)
			return nil
		},
	}
	cmd.Flags().StringVar(&label, "label", "", "name for the account (default \"Account N\")")
	wf.addPasswordFlag(cmd)
	return cmd
}

func newWalletImportKeyCmd(wf *walletFlags) *cobra.Command {
	var keyFile, label string
	cmd := &cobra.Command{
		Use:   "import-key --key-file FILE",
		Short: "Add a raw private key (hex, in a file) as an account",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if keyFile == "" {
				return usageErr("--key-file is required: a file holding a hex private key (\"-\" for standard input)")
			}
			key, err := readKeyFile(keyFile)
			if err != nil {
				return err
			}
			w, err := wf.unlock()
			if err != nil {
				return err
			}
			defer w.Lock()
			acc, err := w.ImportKey(key, label)
			if err != nil {
				return wf.explain(err)
			}
			a := accountJSONOf(w, acc.Address)
			if wf.json {
				return printJSON(cmd.OutOrStdout(), a)
			}
			printAccountLine(cmd.OutOrStdout(), "Imported", a)
			return nil
		},
	}
	cmd.Flags().StringVar(&keyFile, "key-file", "", "file holding the private key as 64 hex digits (\"-\" reads standard input)")
	cmd.Flags().StringVar(&label, "label", "", "name for the account (default \"Imported N\")")
	wf.addPasswordFlag(cmd)
	return cmd
}

// readKeyFile reads a secp256k1 private key written as 64 hex digits
// (optionally 0x-prefixed). Errors never quote the file's content.
func readKeyFile(path string) (*ecdsa.PrivateKey, error) {
	data, err := readSmallFile(path, "private key")
	if err != nil {
		return nil, err
	}
	defer clear(data)
	s := strings.TrimSpace(string(data))
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	bad := fmt.Errorf("%s does not hold a private key: want 64 hex digits (optionally 0x-prefixed) on one line", path)
	if len(s) != 64 {
		return nil, bad
	}
	raw, err := hex.DecodeString(s)
	if err != nil {
		return nil, bad
	}
	defer clear(raw)
	k, err := crypto.ToECDSA(raw)
	if err != nil {
		return nil, fmt.Errorf("%s does not hold a valid secp256k1 private key (zero or out of range)", path)
	}
	return k, nil
}

func newWalletExportKeystoreCmd(wf *walletFlags) *cobra.Command {
	var account, out, ksPasswordFile string
	cmd := &cobra.Command{
		Use:   "export-keystore --account N|0xADDRESS --out FILE",
		Short: "Write one account's key as an Ethereum keystore v3 file (for geth, MetaMask, ethers)",
		Long: "export-keystore writes the account's private key to a new keystore v3 file (scrypt),\n" +
			"mode 0600, encrypted under a keystore password of its own. It never overwrites a file.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return usageErr("--out is required: the keystore file to write")
			}
			if _, err := os.Lstat(out); err == nil {
				return fmt.Errorf("%s already exists: choose another --out (nothing was overwritten)", out)
			}
			w, err := wf.open()
			if err != nil {
				return err
			}
			acc, err := resolveAccount(w, account, "--account")
			if err != nil {
				return err
			}
			pw, err := wf.password().existing()
			if err != nil {
				return err
			}
			if err := w.Unlock(pw); err != nil {
				return wf.explain(err)
			}
			defer w.Lock()
			ksPassword, err := secretSource{what: "keystore password", flag: "--keystore-password-file", file: ksPasswordFile}.fresh()
			if err != nil {
				return err
			}
			if err := w.ExportKeystoreFile(acc.Address, ksPassword, out); errors.Is(err, wallet.ErrExists) {
				return fmt.Errorf("%s already exists: choose another --out (nothing was overwritten)", out)
			} else if err != nil {
				return wf.explain(err)
			}
			if wf.json {
				return printJSON(cmd.OutOrStdout(), map[string]any{"address": acc.Address.Hex(), "file": out})
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Wrote the key of %s to %s (keystore v3, scrypt)\n", acc.Address.Hex(), out)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&account, "account", "", "account number from `cairn wallet list` (1 is the first), or its 0x address (default: the default account)")
	fl.StringVar(&out, "out", "", "keystore file to create (refuses to overwrite)")
	fl.StringVar(&ksPasswordFile, "keystore-password-file", "", "read the keystore's password from the first line of this file instead of prompting")
	wf.addPasswordFlag(cmd)
	return cmd
}

func newWalletImportKeystoreCmd(wf *walletFlags) *cobra.Command {
	var label, ksPasswordFile string
	cmd := &cobra.Command{
		Use:   "import-keystore FILE",
		Short: "Add the key of an Ethereum keystore v3 file (scrypt or pbkdf2) as an account",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErr("import-keystore takes one argument: the keystore file")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			doc, err := readSmallFile(args[0], "keystore")
			if err != nil {
				return err
			}
			w, err := wf.unlock()
			if err != nil {
				return err
			}
			defer w.Lock()
			ksPassword, err := secretSource{what: "keystore password", flag: "--keystore-password-file", file: ksPasswordFile}.existing()
			if err != nil {
				return err
			}
			acc, err := w.ImportKeystore(doc, ksPassword, label)
			switch {
			case errors.Is(err, wallet.ErrWrongPassword):
				return fmt.Errorf("wrong keystore password for %s: try again", args[0])
			case errors.Is(err, wallet.ErrAccountExists):
				return wf.explain(err)
			case err != nil:
				return fmt.Errorf("cannot import %s: %s", filepath.Base(args[0]), strings.TrimPrefix(err.Error(), "import keystore: "))
			}
			a := accountJSONOf(w, acc.Address)
			if wf.json {
				return printJSON(cmd.OutOrStdout(), a)
			}
			printAccountLine(cmd.OutOrStdout(), "Imported", a)
			return nil
		},
	}
	cmd.Flags().StringVar(&label, "label", "", "name for the account (default \"Imported N\")")
	cmd.Flags().StringVar(&ksPasswordFile, "keystore-password-file", "", "read the keystore's password from the first line of this file instead of prompting")
	wf.addPasswordFlag(cmd)
	return cmd
}

func newWalletPasswdCmd(wf *walletFlags) *cobra.Command {
	var newPasswordFile string
	cmd := &cobra.Command{
		Use:   "passwd",
		Short: "Change the wallet password",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w, err := wf.open()
			if err != nil {
				return err
			}
			old, err := secretSource{what: "current wallet password", flag: "--password-file", file: wf.passwordFile}.existing()
			if err != nil {
				return err
			}
			pw, err := secretSource{what: "wallet password", flag: "--new-password-file", file: newPasswordFile}.fresh()
			if err != nil {
				return err
			}
			if err := w.ChangePassword(old, pw); err != nil {
				return wf.explain(err)
			}
			if wf.json {
				return printJSON(cmd.OutOrStdout(), map[string]any{"wallet": wf.path(), "changed": true})
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Changed the password of %s\n", wf.path())
			return nil
		},
	}
	cmd.Flags().StringVar(&wf.passwordFile, "password-file", "", "read the current password from the first line of this file instead of prompting")
	cmd.Flags().StringVar(&newPasswordFile, "new-password-file", "", "read the new password from the first line of this file instead of prompting")
	return cmd
}

func newWalletShowMnemonicCmd(wf *walletFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "show-mnemonic",
		Short: "Show the wallet's recovery words (asks for the password)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w, err := wf.unlock()
			if err != nil {
				return err
			}
			defer w.Lock()
			m, err := w.Mnemonic()
			if err != nil {
				return wf.explain(err)
			}
			if wf.json {
				return printJSON(cmd.OutOrStdout(), map[string]any{"mnemonic": m})
			}
			out := cmd.OutOrStdout()
			fmt.Fprintln(out, "Your recovery words. Keep them secret and offline; anyone who has them controls your funds.")
			fmt.Fprintln(out)
			printWords(out, m)
			fmt.Fprintln(out)
			fmt.Fprintln(out, "If you created the wallet with a passphrase, you need it too: it is not stored.")
			return nil
		},
	}
	wf.addPasswordFlag(cmd)
	return cmd
}
