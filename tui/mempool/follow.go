package mempool

// The cursor belongs to a transaction, not to a row number: rows come and
// go under it all the time (a flood of new transactions, blocks taking
// some), and a cursor that stayed on its index would slide from one
// transaction to another under the user's eyes. The store remembers the
// selected hash; the cursor index is worked out again from it before it is
// used (a key, a drawing), which costs O(log n) and nothing per event.

// follow puts the cursor back on the selected transaction. If it left the
// mempool the cursor takes the row now at its index (clamped to the
// table), snapped to a row the filter shows, and that row is selected.
func (m *Model) follow() {
	st := m.store
	if e, ok := st.byHash[st.sel]; ok {
		m.cursor = st.rows.rank(e)
	} else if st.lostAt >= 0 {
		m.cursor = st.lostAt
		m.clampCursor()
		if m.filter.Filtering() {
			m.cursor = m.shown().Snap(m.cursor)
		}
	}
	st.lostAt = -1
	m.pin()
}

// pin selects the transaction under the cursor (none in an empty table).
func (m *Model) pin() {
	m.clampCursor()
	if e := m.store.rows.at(m.cursor); e != nil {
		m.store.sel = e.hash
	}
}
