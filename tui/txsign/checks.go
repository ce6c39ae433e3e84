package txsign

import (
	"errors"
	"fmt"
	"math/big"

	"cairn/tui/common"

	ethcommon "github.com/ethereum/go-ethereum/common"
)

// The checks below are what a form shows under its fields as they are
// typed and what its submit refuses: one function for both, so the two
// never disagree.

// ErrZeroAddress refuses 0x000…000 as a recipient: nobody holds its key,
// so what is sent there is lost.
var ErrZeroAddress = errors.New("the zero address: nobody holds its key, so what is sent there is lost")

// CheckRecipient refuses the zero address.
func CheckRecipient(to ethcommon.Address) error {
	if to == (ethcommon.Address{}) {
		return ErrZeroAddress
	}
	return nil
}

// MaxTip is the highest tip (wei per gas) a form accepts, 1,000 gwei: a
// tip of more is a slip of the keyboard, not a fee anyone means to pay.
var MaxTip = big.NewInt(1_000_000_000_000)

// TipWarnFactor is how many times the base fee a tip may be before the
// form warns that it pays more than inclusion needs.
const TipWarnFactor = 10

// tipWarnFloor is a tip never warned about (1 gwei, the usual one).
var tipWarnFloor = big.NewInt(1_000_000_000)

// CheckTip refuses an absurd tip (above MaxTip) and warns about a high one
// (above TipWarnFactor × the base fee, and above 1 gwei); baseFee may be
// nil (not known yet: no warning).
func CheckTip(tip, baseFee *big.Int) (warning string, err error) {
	if tip == nil {
		return "", nil
	}
	if tip.Cmp(MaxTip) > 0 {
		return "", fmt.Errorf("a tip of %s gwei is absurd: at most %s gwei (1 is usual)",
			common.FormatGwei(tip), common.FormatGwei(MaxTip))
	}
	if baseFee == nil || tip.Cmp(tipWarnFloor) <= 0 {
		return "", nil
	}
	if lim := new(big.Int).Mul(baseFee, big.NewInt(TipWarnFactor)); tip.Cmp(lim) > 0 {
		return fmt.Sprintf("over %d× the base fee of %s gwei: more than inclusion needs",
			TipWarnFactor, common.FormatGwei(baseFee)), nil
	}
	return "", nil
}

// CheckCost refuses a value above the balance and a value that, with the
// most the fee can cost (gas × MaxFeePerGas), is above it. A nil balance
// (not known yet) passes; a nil base fee or tip checks the value alone.
func CheckCost(value, tip, baseFee, balance *big.Int, gas uint64) error {
	if value == nil || balance == nil {
		return nil
	}
	if value.Cmp(balance) > 0 {
		return fmt.Errorf("more than the balance (%s CRN)", common.FormatCRN(balance, 18))
	}
	if baseFee == nil || tip == nil {
		return nil
	}
	fee := new(big.Int).Mul(MaxFeePerGas(baseFee, tip), new(big.Int).SetUint64(gas))
	if cost := new(big.Int).Add(fee, value); cost.Cmp(balance) > 0 {
		return fmt.Errorf("the amount plus the max fee (%s CRN) is more than the balance (%s CRN)",
			common.FormatCRN(fee, 18), common.FormatCRN(balance, 18))
	}
	return nil
}
