package contracts

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
)

// Event is a log decoded with the emitting contract's ABI.
type Event struct {
	// Name is the event's name ("Transfer").
	Name string `json:"name"`
	// Signature is its canonical signature ("Transfer(address,address,uint256)").
	Signature string `json:"signature"`
	// Args are its fields in declaration order, indexed ones included.
	Args []Value `json:"args"`
}

// String writes the event as "Transfer(from: 0x…, to: 0x…, value: 5)".
func (e *Event) String() string {
	return e.Name + "(" + Format(e.Args) + ")"
}

// ErrUnknownEvent is returned by DecodeLog for a log whose first topic is
// no event of the ABI (or that has no topics: an anonymous event).
var ErrUnknownEvent = errors.New("not an event of the ABI")

// DecodeLog decodes a log with an ABI: the first topic picks the event,
// the other topics are its indexed fields and data the rest. An indexed
// field of a dynamic type (string, bytes, arrays, tuples) comes back as
// the hash its topic holds, marked Hashed.
func DecodeLog(a *abi.ABI, topics []common.Hash, data []byte) (ev *Event, err error) {
	if a == nil || len(topics) == 0 {
		return nil, ErrUnknownEvent
	}
	e, lookupErr := a.EventByID(topics[0])
	if lookupErr != nil || e.Anonymous {
		return nil, ErrUnknownEvent
	}
	defer func() {
		if r := recover(); r != nil {
			ev, err = nil, fmt.Errorf("decode %s: %v", e.Sig, r)
		}
	}()
	var indexed int
	for _, in := range e.Inputs {
		if in.Indexed {
			indexed++
		}
	}
	if len(topics)-1 != indexed {
		return nil, fmt.Errorf("decode %s: the log has %d indexed topics, the event %d", e.Sig, len(topics)-1, indexed)
	}
	plain, err := e.Inputs.NonIndexed().Unpack(data)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", e.Sig, err)
	}
	out := &Event{Name: e.RawName, Signature: e.Sig}
	ti, pi := 1, 0
	for _, in := range e.Inputs {
		v := Value{Name: in.Name, Type: in.Type}
		if in.Indexed {
			topic := topics[ti]
			ti++
			if topicHoldsValue(in.Type) {
				vals, err := abi.Arguments{{Type: in.Type}}.Unpack(topic[:])
				if err != nil {
					return nil, fmt.Errorf("decode %s: indexed %s: %w", e.Sig, in.Name, err)
				}
				v.Value = vals[0]
			} else {
				v.Value, v.Hashed = topic, true
			}
		} else {
			v.Value = plain[pi]
			pi++
		}
		out.Args = append(out.Args, v)
	}
	return out, nil
}

// topicHoldsValue says whether an indexed field of type t is stored in
// its topic as itself (value types) rather than as a hash.
func topicHoldsValue(t abi.Type) bool {
	switch t.T {
	case abi.AddressTy, abi.UintTy, abi.IntTy, abi.BoolTy, abi.FixedBytesTy:
		return true
	}
	return false
}

// FindEvent finds an event of the ABI by name ("Transfer") or signature
// ("Transfer(address,address,uint256)").
func FindEvent(a *abi.ABI, name string) (abi.Event, error) {
	name = strings.TrimSpace(name)
	var found []abi.Event
	for _, e := range a.Events {
		if e.RawName == name || e.Sig == strings.ReplaceAll(name, " ", "") {
			found = append(found, e)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		var names []string
		for _, e := range a.Events {
			names = append(names, e.Sig)
		}
		sort.Strings(names)
		if len(names) == 0 {
			return abi.Event{}, fmt.Errorf("the ABI has no event %q (it has no events)", name)
		}
		return abi.Event{}, fmt.Errorf("the ABI has no event %q; it has %s", name, strings.Join(names, ", "))
	}
	var sigs []string
	for _, e := range found {
		sigs = append(sigs, e.Sig)
	}
	sort.Strings(sigs)
	return abi.Event{}, fmt.Errorf("event %q is overloaded: give the signature, one of %s", name, strings.Join(sigs, ", "))
}
