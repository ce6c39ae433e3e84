package api

import "bytes"

// batch is a run of events the hub encoded once, each a segment of buf,
// handed out as one frame per stream: the whole batch to a stream that
// takes every type in it, the events of its types to one that asked for
// fewer. Each cut is made once per batch, whatever the number of streams
// that share it.
type batch struct {
	buf   bytes.Buffer
	ends  []int       // where each event's frame ends in buf
	types []eventMask // each event's type
	has   eventMask   // the types in the batch
	cuts  map[eventMask]cut
}

// cut is a batch's frame for one set of event types and the number of
// events in it. Streams share it: it is never written to.
type cut struct {
	frame []byte
	n     int
}

func (b *batch) reset() {
	b.buf.Reset()
	b.ends, b.types, b.has = b.ends[:0], b.types[:0], 0
	clear(b.cuts)
}

// len is the number of events in the batch.
func (b *batch) len() int { return len(b.ends) }

// add encodes ev onto the batch; on error the batch is as it was.
func (b *batch) add(ev Event) error {
	mark := b.buf.Len()
	if err := writeEvent(&b.buf, ev); err != nil {
		b.buf.Truncate(mark)
		return err
	}
	t := maskOf(ev.Type)
	b.ends = append(b.ends, b.buf.Len())
	b.types = append(b.types, t)
	b.has |= t
	return nil
}

// frame is the batch's frame for a stream taking the types of mask, and
// how many events it holds (0, and no frame, when none is of those types).
func (b *batch) frame(mask eventMask) ([]byte, int) {
	key := b.has & mask
	if key == 0 {
		return nil, 0
	}
	if c, ok := b.cuts[key]; ok {
		return c.frame, c.n
	}
	var c cut
	if key == b.has {
		c = cut{frame: bytes.Clone(b.buf.Bytes()), n: len(b.ends)}
	} else {
		data, start := b.buf.Bytes(), 0
		for i, end := range b.ends {
			if b.types[i]&key != 0 {
				c.frame = append(c.frame, data[start:end]...)
				c.n++
			}
			start = end
		}
	}
	if b.cuts == nil {
		b.cuts = map[eventMask]cut{}
	}
	b.cuts[key] = c
	return c.frame, c.n
}
