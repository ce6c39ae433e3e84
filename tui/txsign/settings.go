package txsign

import (
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"strings"

	"cairn/tui/common"
	"cairn/tui/form"

	"github.com/BurntSushi/toml"
)

// SettingsFile is the console's own settings file in the Cairn home, next
// to the node's config.toml (which takes only node settings). A missing
// file is the defaults; an unknown key is an error that names it.
//
//	# <home>/console.toml
//	send_confirm_above = "100"   # CRN; a transaction that moves more asks
//	                             # for the wallet password again ("0": every one)
const SettingsFile = "console.toml"

// DefaultSendConfirmAbove is the value, 100 CRN, above which a transaction
// asks for the wallet password again unless console.toml says otherwise.
var DefaultSendConfirmAbove = new(big.Int).Mul(big.NewInt(100), big.NewInt(1e18))

// Settings are the console's preferences read from console.toml.
type Settings struct {
	// SendConfirmAbove is the value (wei) above which the confirm step
	// asks for the wallet password again before it signs.
	SendConfirmAbove *big.Int
}

// DefaultSettings are the settings without a console.toml.
func DefaultSettings() Settings {
	return Settings{SendConfirmAbove: new(big.Int).Set(DefaultSendConfirmAbove)}
}

// LoadSettings reads <home>/console.toml. A missing file (or no home) is
// the defaults; a file that does not read gives the defaults and the error.
func LoadSettings(home string) (Settings, error) {
	s := DefaultSettings()
	if home == "" {
		return s, nil
	}
	path := filepath.Join(home, SettingsFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("read %s: %w", path, err)
	}
	var doc struct {
		SendConfirmAbove any `toml:"send_confirm_above"`
	}
	md, err := toml.Decode(string(data), &doc)
	if err != nil {
		return s, fmt.Errorf("%s: %w", path, err)
	}
	if un := md.Undecoded(); len(un) > 0 {
		return s, fmt.Errorf("%s: unknown key %q (the console knows send_confirm_above)", path, un[0].String())
	}
	switch v := doc.SendConfirmAbove.(type) {
	case nil:
	case int64:
		if v < 0 {
			return s, fmt.Errorf("%s: send_confirm_above %d: want an amount of CRN, 0 or more", path, v)
		}
		s.SendConfirmAbove = new(big.Int).Mul(big.NewInt(v), big.NewInt(1e18))
	case string:
		wei, err := form.ParseDecimal(v, 18, big.NewInt(1e18))
		if err != nil {
			return s, fmt.Errorf("%s: send_confirm_above %q: %v", path, v, err)
		}
		s.SendConfirmAbove = wei
	default:
		return s, fmt.Errorf("%s: send_confirm_above: want an amount of CRN such as \"100\" or \"0.5\", not %v", path, v)
	}
	return s, nil
}

// PasswordFor says what the confirm step of d asks the wallet password
// again for, as the end of "Type the wallet password to …", or "" when it
// signs without: a draft whose caller asks for it (Draft.Reauth, such as an
// unjail), or one whose value is above the send_confirm_above of
// <home>/console.toml and leaves the sender (not Draft.Staked). A console.toml that does not read asks every time,
// and says why.
func PasswordFor(home string, d *Draft) string {
	if d == nil {
		return ""
	}
	if d.Reauth != "" {
		return d.Reauth
	}
	if d.Staked || d.Value == nil || d.Value.Sign() == 0 {
		return ""
	}
	s, err := LoadSettings(home)
	if err != nil {
		return "sign it (" + strings.TrimSuffix(err.Error(), ".") + "; until it reads, every transaction asks)"
	}
	if d.Value != nil && d.Value.Cmp(s.SendConfirmAbove) > 0 {
		return fmt.Sprintf("send %s CRN (above the %s CRN set as send_confirm_above in %s)",
			common.FormatCRN(d.Value, 18), common.FormatCRN(s.SendConfirmAbove, 18), SettingsFile)
	}
	return ""
}
