package ocsvm

// rowCache keeps kernel rows, indexed by the solver's current position of a
// row, within a budget of float32 values, evicting the least recently used
// row first. A cached row holds a prefix of its values (the active rows when
// it was computed) and is extended on demand, as libsvm's cache is. A slice
// handed out stays valid after eviction (the garbage collector owns it), so
// a caller may hold two rows at once whatever the budget.
type rowCache struct {
	rows       [][]float32 // by position; len is the computed prefix
	prev, next []int32     // LRU list of cached positions; n is the sentinel
	budget     int         // float32 values that may still be allocated
	spare      []float32   // the last evicted row, reused to save allocations
	// hold lists rows a caller holds beyond the two that eviction can
	// never reach; they are not reused when evicted.
	hold [][]float32
}

// headerFloats is the bookkeeping counted against the budget for every
// row, in float32 units, so that a CacheMiB means roughly what it says.
const headerFloats = 8

func newRowCache(n, mib int) *rowCache {
	size := (int64(mib) << 20) / 4
	size -= int64(n) * headerFloats
	size = max(size, 2*int64(n))
	c := &rowCache{
		rows: make([][]float32, n),
		prev: make([]int32, n+1),
		next: make([]int32, n+1),
	}
	c.prev[n], c.next[n] = int32(n), int32(n)
	c.budget = int(min(size, int64(1)<<50))
	return c
}

func (c *rowCache) sentinel() int32 { return int32(len(c.rows)) }

func (c *rowCache) unlink(i int) {
	p, q := c.prev[i], c.next[i]
	c.next[p] = q
	c.prev[q] = p
}

func (c *rowCache) pushBack(i int) {
	s := c.sentinel()
	last := c.prev[s]
	c.next[last] = int32(i)
	c.prev[i] = last
	c.next[i] = s
	c.prev[s] = int32(i)
}

// drop evicts cached row h.
func (c *rowCache) drop(h int) {
	c.unlink(h)
	r := c.rows[h]
	c.budget += len(r)
	if cap(r) > cap(c.spare) && !c.held(r) {
		c.spare = r[:0]
	}
	c.rows[h] = nil
}

// get returns row i with at least length values allocated and the index
// from which values are still to be computed: start ≥ length means the row
// is complete up to length.
func (c *rowCache) get(i, length int) (row []float32, start int) {
	r := c.rows[i]
	if len(r) > 0 {
		c.unlink(i)
	}
	start = len(r)
	if start >= length {
		c.pushBack(i)
		return r, length
	}
	need := length - start
	s := c.sentinel()
	for c.budget < need && c.next[s] != s {
		c.drop(int(c.next[s]))
	}
	c.budget -= need
	var nr []float32
	switch {
	case cap(r) >= length:
		nr = r[:length]
	case cap(c.spare) >= length:
		nr = c.spare[:length]
		c.spare = nil
		copy(nr, r)
	default:
		nr = make([]float32, length)
		copy(nr, r)
	}
	c.rows[i] = nr
	c.pushBack(i)
	return nr, start
}

func (c *rowCache) held(r []float32) bool {
	for _, h := range c.hold {
		if cap(h) > 0 && cap(r) > 0 && &h[:1][0] == &r[:1][0] {
			return true
		}
	}
	return false
}

// swapMany applies the exchanges of positions in pairs, in order: for each,
// the rows cached for the two positions trade places, and within every
// cached row the values at the two positions trade places; a row long
// enough to hold one of the two but not the other is dropped.
func (c *rowCache) swapMany(pairs [][2]int32) {
	if len(pairs) == 0 {
		return
	}
	for _, p := range pairs {
		i, j := int(p[0]), int(p[1])
		ci, cj := len(c.rows[i]) > 0, len(c.rows[j]) > 0
		if ci {
			c.unlink(i)
		}
		if cj {
			c.unlink(j)
		}
		c.rows[i], c.rows[j] = c.rows[j], c.rows[i]
		if cj {
			c.pushBack(i)
		}
		if ci {
			c.pushBack(j)
		}
	}
	// Every cached row, wherever it now sits, takes every exchange; the
	// values moved do not depend on which position holds the row.
	s := c.sentinel()
	for h := c.next[s]; h != s; {
		nx := c.next[h]
		r := c.rows[h]
		for _, p := range pairs {
			i, j := int(min(p[0], p[1])), int(max(p[0], p[1]))
			if len(r) <= i {
				continue
			}
			if len(r) <= j {
				c.drop(int(h))
				break
			}
			r[i], r[j] = r[j], r[i]
		}
		h = nx
	}
}
