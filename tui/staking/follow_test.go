package staking

import (
	"testing"

	"cairn/chain"
	"cairn/node/api"
	"cairn/tui/common"
	"cairn/tui/fakenode"
	"cairn/tui/tuitest"

	ethcommon "github.com/ethereum/go-ethereum/common"
)

// block is the event that makes the screen read the tables again.
func block(h uint64) common.EventMsg {
	return common.EventMsg{Event: api.Event{Type: api.EventBlock, Block: &api.Block{Height: h}}}
}

func newcomer(b byte, moniker string) api.Validator {
	return api.Validator{Operator: ethcommon.Address{0xee, b}, Moniker: moniker, Status: api.ValidatorActive,
		Tokens: api.NewAmount(chain.CRN(2_000_000)), WindowBlocks: 12, Uptime: 1}
}

func (e *env) selectedValidator() string {
	m := e.model()
	return m.vals[m.valCur].Moniker
}

func TestTheCursorStaysOnItsValidatorAsTheSetChanges(t *testing.T) {
	e := setup(t, 100, 30)
	e.drive(t, tuitest.Key("down")) // north-star
	vals, dels := fakenode.FixtureStaking()
	// Two validators join above it with more stake, and slow-lane's jail
	// ends: every row moves.
	vals.Validators = append([]api.Validator{newcomer(1, "big-one"), newcomer(2, "big-two")}, vals.Validators...)
	vals.Validators[4].Status = api.ValidatorActive
	e.node.SetStaking(vals, dels)
	e.drive(t, block(13))
	if got := e.selectedValidator(); got != "north-star" {
		t.Fatalf("the cursor moved to %s, want north-star", got)
	}
	e.must(t, "›north-star", "Selected north-star")
}

func TestTheCursorGoesToANeighbourWhenItsValidatorLeaves(t *testing.T) {
	e := setup(t, 100, 30)
	e.drive(t, tuitest.Keys("down", "down")...) // slow-lane, between north-star and twice
	vals, dels := fakenode.FixtureStaking()
	// slow-lane leaves the list as two validators join at its top: its old
	// row number now holds devnet-0, which was never next to it.
	rest := []api.Validator{newcomer(1, "big-one"), newcomer(2, "big-two")}
	for _, v := range vals.Validators {
		if v.Operator != fakenode.FixtureSlowLane {
			rest = append(rest, v)
		}
	}
	vals.Validators = rest
	e.node.SetStaking(vals, dels)
	e.drive(t, block(13))
	if got := e.selectedValidator(); got != "twice" {
		t.Fatalf("the cursor went to %s, want twice (the validator after slow-lane)", got)
	}
}

func TestTheLastValidatorLeavingMovesTheCursorUp(t *testing.T) {
	e := setup(t, 100, 30)
	e.drive(t, tuitest.Key("end")) // twice
	vals, dels := fakenode.FixtureStaking()
	vals.Validators = vals.Validators[:3]
	e.node.SetStaking(vals, dels)
	e.drive(t, block(13))
	if got := e.selectedValidator(); got != "slow-lane" {
		t.Fatalf("the cursor went to %s, want slow-lane", got)
	}
}

func TestTheCursorStaysOnItsDelegationAsTheyChange(t *testing.T) {
	op := chain.DevnetAccounts[0]
	stake := func(v ethcommon.Address) api.Delegation {
		return api.Delegation{Validator: v, Amount: api.NewAmount(chain.CRN(10)), Shares: api.NewAmount(chain.CRN(10)),
			PendingRewards: api.NewAmount(chain.CRN(0))}
	}
	e := setup(t, 100, 30)
	vals, dels := fakenode.FixtureStaking()
	dels[op].Delegations = []api.Delegation{stake(op), stake(fakenode.FixtureNorthStar), stake(fakenode.FixtureSlowLane)}
	e.node.SetStaking(vals, dels)
	e.drive(t, block(13))
	e.drive(t, tuitest.Keys("right", "down")...) // Account 1 → north-star
	if r, _ := e.model().selectedDelegation(); r.Validator != fakenode.FixtureNorthStar {
		t.Fatalf("selected %s", r.Validator)
	}

	// A new delegation comes first: the cursor stays on north-star's.
	dels[op].Delegations = append([]api.Delegation{stake(fakenode.FixtureTwice)}, dels[op].Delegations...)
	e.node.SetStaking(vals, dels)
	e.drive(t, block(14))
	if r, _ := e.model().selectedDelegation(); r.Validator != fakenode.FixtureNorthStar || r.account.Address != op {
		t.Fatalf("after a delegation came first the cursor is on %s", r.Validator)
	}

	// north-star's is undelegated in full: the one after it takes the cursor.
	dels[op].Delegations = []api.Delegation{stake(op), stake(fakenode.FixtureSlowLane), stake(fakenode.FixtureTwice)}
	e.node.SetStaking(vals, dels)
	e.drive(t, block(15))
	if r, _ := e.model().selectedDelegation(); r.Validator != fakenode.FixtureSlowLane || r.account.Address != op {
		t.Fatalf("after north-star's delegation left the cursor is on %s, want slow-lane's", r.Validator)
	}
}

func TestFollow(t *testing.T) {
	for _, c := range []struct {
		old, now  []string
		sel       string
		cur, want int
	}{
		{[]string{"a", "b", "c"}, []string{"c", "b", "a"}, "a", 0, 2},      // moved
		{[]string{"a", "b", "c"}, []string{"x", "y", "a", "c"}, "b", 1, 3}, // gone: the next one
		{[]string{"a", "b", "c"}, []string{"x", "a", "b"}, "c", 2, 2},      // gone at the end: the one before
		{[]string{"a", "b"}, []string{"x", "y"}, "a", 1, 1},                // nothing remains: where it was
	} {
		if got := follow(c.old, c.now, c.sel, c.cur); got != c.want {
			t.Errorf("follow(%v → %v, %s) = %d, want %d", c.old, c.now, c.sel, got, c.want)
		}
	}
}

func TestTheCursorStaysOnItsValidatorWhileAThousandJoin(t *testing.T) {
	e := setup(t, 120, 40)
	e.drive(t, tuitest.Key("down")) // north-star
	vals, dels := fakenode.FixtureStaking()
	for round := range 50 {
		// Twenty join each block, some above north-star, some below.
		for i := range 20 {
			v := newcomer(byte(i), "joiner")
			v.Operator = ethcommon.Address{0xee, byte(round), byte(i)}
			at := (round*7 + i*3) % (len(vals.Validators) + 1)
			vals.Validators = append(vals.Validators[:at], append([]api.Validator{v}, vals.Validators[at:]...)...)
		}
		e.node.SetStaking(vals, dels)
		e.drive(t, block(uint64(13+round)))
		if got := e.selectedValidator(); got != "north-star" {
			t.Fatalf("after %d joined the cursor is on %s", 20*(round+1), got)
		}
	}
	if n := len(e.model().vals); n != 1004 {
		t.Fatalf("%d validators", n)
	}
	e.must(t, "›north-star", "Selected north-star")
}
