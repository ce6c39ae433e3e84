package api

import (
	"net/url"
	"strings"
)

// eventMask is a set of event types: what an event stream asked for.
type eventMask uint8

const (
	maskBlock eventMask = 1 << iota
	maskTx
	maskDropped

	maskAll = maskBlock | maskTx | maskDropped
)

// eventTypes lists the types a stream can ask for, in the order the
// documentation gives them.
var eventTypes = []struct {
	name string
	mask eventMask
}{{EventBlock, maskBlock}, {EventTx, maskTx}, {EventDropped, maskDropped}}

// maskOf is the mask of one event type; 0 for a type the API does not
// define.
func maskOf(typ string) eventMask {
	for _, t := range eventTypes {
		if t.name == typ {
			return t.mask
		}
	}
	return 0
}

// parseEventTypes reads the types query parameter of GET /v1/events: a
// comma-separated list of block, tx and dropped (repeating the parameter
// adds to the list). Absent or empty, the stream takes every type.
func parseEventTypes(q url.Values) (eventMask, *Error) {
	var m eventMask
	for _, v := range q["types"] {
		for name := range strings.SplitSeq(v, ",") {
			name = strings.TrimSpace(name)
			if name == "" {
				continue
			}
			t := maskOf(name)
			if t == 0 {
				return 0, BadRequest("unknown event type %q in types; the types are block, tx and dropped", name)
			}
			m |= t
		}
	}
	if m == 0 {
		m = maskAll
	}
	return m, nil
}

// IsEventType says whether typ is an event type a stream can ask for.
func IsEventType(typ string) bool { return maskOf(typ) != 0 }

// EventsPath is the path of an event stream of exactly types (every type
// when there are none): "/v1/events", with its types parameter.
func EventsPath(types ...string) string {
	if len(types) == 0 {
		return "/v1/events"
	}
	return "/v1/events?types=" + url.QueryEscape(strings.Join(types, ","))
}
