package mempool

// order keeps the kept transactions sorted by the current sort column as a
// treap with subtree sizes: insert, remove and "the i-th row" are all
// O(log n) expected, so a flood of events never re-sorts the table and the
// view reads only the rows it shows. The nodes are the entries themselves
// (no allocation per insert). Priorities come from the transaction hash,
// which is already uniformly random and keeps the shape deterministic.
type order struct {
	root *entry
	cmp  func(a, b *entry) int // a total order: never 0 for distinct entries
}

func (o *order) len() int { return o.root.count() }

func (e *entry) count() int {
	if e == nil {
		return 0
	}
	return e.n
}

func (e *entry) fix() { e.n = 1 + e.left.count() + e.right.count() }

// insert adds e, which must not be in the tree.
func (o *order) insert(e *entry) {
	e.left, e.right, e.n = nil, nil, 1
	l, r := o.split(o.root, e)
	o.root = merge(merge(l, e), r)
}

// split cuts t into the entries before k and the entries after it.
func (o *order) split(t, k *entry) (l, r *entry) {
	if t == nil {
		return nil, nil
	}
	if o.cmp(t, k) < 0 {
		t.right, r = o.split(t.right, k)
		t.fix()
		return t, r
	}
	l, t.left = o.split(t.left, k)
	t.fix()
	return l, t
}

// merge joins two treaps whose every entry in l sorts before every entry
// in r.
func merge(l, r *entry) *entry {
	switch {
	case l == nil:
		return r
	case r == nil:
		return l
	case l.prio > r.prio:
		l.right = merge(l.right, r)
		l.fix()
		return l
	default:
		r.left = merge(l, r.left)
		r.fix()
		return r
	}
}

// remove takes e out of the tree; it reports false if e was not in it.
func (o *order) remove(e *entry) bool {
	var ok bool
	o.root, ok = o.del(o.root, e)
	return ok
}

func (o *order) del(t, e *entry) (*entry, bool) {
	if t == nil {
		return nil, false
	}
	if t == e {
		m := merge(t.left, t.right)
		t.left, t.right, t.n = nil, nil, 1
		return m, true
	}
	var ok bool
	if o.cmp(e, t) < 0 {
		t.left, ok = o.del(t.left, e)
	} else {
		t.right, ok = o.del(t.right, e)
	}
	if ok {
		t.fix()
	}
	return t, ok
}

// at returns the i-th entry in sort order (0-based), or nil.
func (o *order) at(i int) *entry {
	t := o.root
	for t != nil {
		l := t.left.count()
		switch {
		case i < l:
			t = t.left
		case i == l:
			return t
		default:
			i -= l + 1
			t = t.right
		}
	}
	return nil
}

// rank is e's index in sort order, or -1 if e is not in the tree.
func (o *order) rank(e *entry) int {
	i, t := 0, o.root
	for t != nil {
		switch {
		case t == e:
			return i + t.left.count()
		case o.cmp(e, t) < 0:
			t = t.left
		default:
			i += t.left.count() + 1
			t = t.right
		}
	}
	return -1
}

// rebuild re-sorts every entry under a new order.
func (o *order) rebuild(cmp func(a, b *entry) int, all []*entry) {
	o.root, o.cmp = nil, cmp
	for _, e := range all {
		o.insert(e)
	}
}

// each calls f on the entries in sort order.
func (o *order) each(f func(*entry)) { walk(o.root, f) }

func walk(t *entry, f func(*entry)) {
	if t == nil {
		return
	}
	walk(t.left, f)
	f(t)
	walk(t.right, f)
}
