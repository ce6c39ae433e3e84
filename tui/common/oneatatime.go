package common

// OneAtATime keeps a screen's refreshes from piling up: one request is
// out at a time, and asks made while it is out fold into one more after
// it. The zero value is ready.
type OneAtATime struct {
	out, again bool
}

// Begin reports whether a request may go out now; if one is out already,
// it notes that another should follow it.
func (o *OneAtATime) Begin() bool {
	if o.out {
		o.again = true
		return false
	}
	o.out = true
	return true
}

// End marks the request answered and reports whether another was asked
// for meanwhile.
func (o *OneAtATime) End() (again bool) {
	again = o.again
	o.out, o.again = false, false
	return again
}

// Out reports whether a request is out.
func (o *OneAtATime) Out() bool { return o.out }

// Owed reports whether one more request is owed after the one out.
func (o *OneAtATime) Owed() bool { return o.again }
