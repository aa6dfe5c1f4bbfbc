package rare

import (
	"cmp"
	"math"
	"slices"
	"unsafe"

	"github.com/vigil-ml/vigil/internal/check"
)

// Advance moves the model to bucket, closing the open bucket if bucket is
// later: the bucket's observations are learned and older evidence decays by
// the buckets that passed, empty ones included. Observe calls it; a caller
// calls it directly to close a bucket before a snapshot or after a quiet
// period. A bucket before the open one is refused with ErrTimeOrder.
func (m *Model) Advance(bucket int64) error {
	if !m.open {
		m.open, m.cur, m.ref, m.g = true, bucket, bucket, 1
		m.gPrev = m.scale(float64(bucket - 1))
		return nil
	}
	if bucket < m.cur {
		return check.Errorf(pkg, ErrTimeOrder, "bucket %d is before the open bucket %d", bucket, m.cur)
	}
	if bucket == m.cur {
		return nil
	}
	m.closeBucket()
	m.cur = bucket
	if e := (float64(bucket) - float64(m.ref)) / m.hl; e > renormAt {
		m.renormalize(e)
	} else {
		m.g = math.Exp2(e)
	}
	m.gPrev = m.scale(float64(bucket - 1))
	return nil
}

// closeBucket adds one use to every pair seen in the open bucket and brings
// the population's distinct-user masses up to date.
func (m *Model) closeBucket() {
	if len(m.touched)*4 >= len(m.tbl.slots) {
		// Many entities were touched: walk the table in memory order, a
		// chunk at a time, prefetching the values of the next chunk while
		// closing this one, so that their cache misses overlap the work.
		// The order of entities does not change the result.
		slots := m.tbl.slots
		m.prefetchClose(slots[:min(len(slots), batchChunk)])
		for start := 0; start < len(slots); start += batchChunk {
			end := min(len(slots), start+batchChunk)
			m.prefetchClose(slots[end:min(len(slots), end+batchChunk)])
			for i := start; i < end; i++ {
				if e := &slots[i]; e.used() && e.last == m.cur {
					m.closeEntity(e)
				}
			}
		}
	} else {
		for _, k := range m.touched {
			if pos := m.tbl.find(k); pos >= 0 {
				m.closeEntity(&m.tbl.slots[pos])
			}
		}
	}
	m.touched = m.touched[:0]
	for _, k := range m.vtouched {
		pos, ok := m.vidx[k]
		if !ok {
			continue
		}
		v := &m.vals[pos]
		p := max(0, v.pop+v.delta)
		m.popHead += p - v.pop
		v.pop, v.delta = p, 0
	}
	if len(m.vtouched) > 0 {
		m.resortVals()
	}
	m.vtouched = m.vtouched[:0]
	m.popHead = max(0, m.popHead)
	m.popTail += m.popPend
	m.popPend = 0
	clear(m.tailSet)
	m.stats.Buckets++
}

// prefetchClose requests the values of the slots' entities touched in the
// open bucket, which closeEntity reads in full.
func (m *Model) prefetchClose(slots []entity) {
	for i := range slots {
		if e := &slots[i]; e.used() && e.last == m.cur && e.cp != nil {
			p := uintptr(unsafe.Pointer(e.cp))
			prefetch4(p)
			if int64(e.n)*cellBytes > 256 {
				prefetch4(p + 256)
			}
		}
	}
}

// closeEntity adds the open bucket's uses to an entity touched in it.
func (m *Model) closeEntity(e *entity) {
	cs := e.cells()
	for i := range cs {
		if c := &cs[i]; c.pending(m.cur) {
			c.c += m.g
			c.lh = m.cur
		}
	}
	e.tail += e.pend
	e.pend = 0
	sortCells(cs)
	h := 0.0
	for i := range cs {
		h += cs[i].c
	}
	e.head = h
}

// sortCells restores descending order after increments (insertion sort:
// few cells move, and equal counts keep their order).
func sortCells(c []cell) {
	for i := 1; i < len(c); i++ {
		x := c[i]
		j := i
		for j > 0 && c[j-1].c < x.c {
			c[j] = c[j-1]
			j--
		}
		c[j] = x
	}
}

// resortVals restores the descending order of the values after the
// bucket's changes: the untouched ones are still in order, so the touched
// ones are taken out, sorted and merged back in, and the index rewritten
// from the first position that moved. Linear in the values, where bubbling
// each fresh value past every older, decayed one would be quadratic.
func (m *Model) resortVals() {
	t := m.scratch[:0]
	u := 0
	first := len(m.vals)
	for i := range m.vals {
		if m.vals[i].last == m.cur {
			t = append(t, m.vals[i])
			first = min(first, i)
			continue
		}
		m.vals[u] = m.vals[i]
		u++
	}
	slices.SortStableFunc(t, func(a, b value) int { return cmp.Compare(b.pop, a.pop) })
	// Merge from the back: untouched vals[:u] and t into vals[:u+len(t)].
	i, j := u-1, len(t)-1
	for k := u + len(t) - 1; j >= 0; k-- {
		if i >= 0 && m.vals[i].pop < t[j].pop {
			m.vals[k] = m.vals[i]
			i--
		} else {
			m.vals[k] = t[j]
			j--
		}
		first = min(first, k)
	}
	for k := first; k < len(m.vals); k++ {
		m.vidx[m.vals[k].key] = uint32(k)
	}
	clear(t)
	m.scratch = t[:0]
}

// reposition moves vals[i] to its place in descending order.
func (m *Model) reposition(i int) {
	for i > 0 && m.vals[i-1].pop < m.vals[i].pop {
		m.swapVals(i-1, i)
		i--
	}
	for i+1 < len(m.vals) && m.vals[i+1].pop > m.vals[i].pop {
		m.swapVals(i, i+1)
		i++
	}
}

func (m *Model) swapVals(i, j int) {
	m.vals[i], m.vals[j] = m.vals[j], m.vals[i]
	m.vidx[m.vals[i].key] = uint32(i)
	m.vidx[m.vals[j].key] = uint32(j)
}

// renormalize rescales every mass so that the open bucket has scale 1;
// exponent is log2 of the open bucket's scale before.
func (m *Model) renormalize(exponent float64) {
	f := math.Exp2(-exponent)
	for i := range m.tbl.slots {
		e := &m.tbl.slots[i]
		e.head *= f
		e.tail *= f
		e.pend *= f
		cs := e.cells()
		for j := range cs {
			cs[j].c *= f
			// The bucket has just closed: no cell is pending, and lh is
			// each one's last use, before cur.
			if c := &cs[j]; uint64(m.cur)-uint64(c.lh) > maxAge {
				c.lh = m.cur - maxAge
			}
		}
	}
	for i := range m.vals {
		m.vals[i].pop *= f
		m.vals[i].delta *= f
	}
	m.popHead *= f
	m.popTail *= f
	m.popPend *= f
	m.cells.scale(f)
	m.pops.scale(f)
	m.ref, m.g = m.cur, 1
}

// next is xorshift64*: the deterministic source of eviction candidates,
// part of the snapshot.
func (m *Model) next(n int) int {
	m.rng ^= m.rng >> 12
	m.rng ^= m.rng << 25
	m.rng ^= m.rng >> 27
	return int(((m.rng * 2685821657736338717) >> 32) * uint64(n) >> 32)
}

// addEntity stores a new entity, evicting one if the budget is full; false
// if every candidate was better established.
func (m *Model) addEntity(key uint64) (int, bool) {
	need := entityBytes
	grow := m.tbl.full()
	if grow {
		need += m.tbl.growBytes()
	}
	if m.used()+need > m.limit {
		// No room to grow: replace an entity instead (a table that may not
		// grow has a free slot, as it is at most 3/4 full).
		if !m.evictEntity() {
			m.stats.RefusedEntities++
			return 0, false
		}
		grow = m.tbl.full() && m.used()+entityBytes+m.tbl.growBytes() <= m.limit
		if m.tbl.n >= len(m.tbl.slots) {
			m.stats.RefusedEntities++
			return 0, false
		}
	}
	if grow {
		m.tbl.resize(max(minSlots, 2*len(m.tbl.slots)))
	}
	pos := m.tbl.insert(entity{key: key, first: m.cur, last: math.MinInt64})
	m.bytes += entityBytes
	return pos, true
}

// evictEntity forgets the least established of a few random entities not
// seen in the open bucket, if its decayed mass is at most one observation.
func (m *Model) evictEntity() bool {
	if m.tbl.n == 0 {
		return false
	}
	size := len(m.tbl.slots)
	best, bestMass := -1, math.Inf(1)
	for range samples {
		i := m.next(size)
		for !m.tbl.slots[i].used() {
			i = (i + 1) & (size - 1)
		}
		e := &m.tbl.slots[i]
		if e.last == m.cur {
			continue
		}
		if mass := e.head + e.tail; mass < bestMass {
			best, bestMass = i, mass
		}
	}
	if best < 0 || bestMass > evictable*m.g {
		return false
	}
	m.removeEntity(best)
	return true
}

func (m *Model) removeEntity(i int) {
	e := &m.tbl.slots[i]
	cs := e.cells()
	for j := range cs {
		m.dropUser(cs[j].v, cs[j].last(m.cur))
	}
	m.bytes -= entityBytes + int64(e.capCells())*cellBytes
	m.tbl.remove(i)
	m.stats.EvictedEntities++
}

// dropUser removes, at the close of the bucket, one entity's use of value
// at bucket last from the value's distinct-user mass.
func (m *Model) dropUser(value uint64, last int64) {
	if pos, ok := m.vidx[value]; ok {
		m.pend(&m.vals[pos], value, -m.scale(float64(last)))
	}
}

// addCell gives value an exact count in e, starting from est (its sketch
// count), if the entity has room or its least used value is evictable or
// less used than est; false sends the pair to the tail.
func (m *Model) addCell(key, v uint64, est float64) bool {
	e := &m.tbl.slots[m.tbl.find(key)]
	if int(e.n) >= m.cfg.MaxValuesPerEntity {
		if !m.replaceLeast(e, est) {
			return false
		}
	} else if int(e.n) == e.capCells() {
		newCap := min(max(2, 2*e.capCells()), m.cfg.MaxValuesPerEntity)
		extra := int64(newCap-e.capCells()) * cellBytes
		for tries := 0; m.used()+extra > m.limit && tries < 4; tries++ {
			if !m.evictEntity() {
				break
			}
		}
		e = &m.tbl.slots[m.tbl.find(key)] // evictions move entities
		if m.used()+extra > m.limit {
			if !m.replaceLeast(e, est) {
				return false
			}
		} else {
			nc := make([]cell, e.n, newCap)
			copy(nc, e.cells())
			e.setCells(nc)
			m.bytes += extra
		}
	}
	cs := append(e.cells(), cell{v: v, c: est, lh: openCell(m.cur)})
	e.setCells(cs)
	for i := len(cs) - 1; i > 0 && cs[i-1].c < cs[i].c; i-- {
		cs[i-1], cs[i] = cs[i], cs[i-1]
	}
	e.head += est
	e.tail = max(0, e.tail-est)
	return true
}

// replaceLeast evicts e's least used value not seen in the open bucket if
// its count is at most one observation or below est.
func (m *Model) replaceLeast(e *entity, est float64) bool {
	cs := e.cells()
	j := len(cs) - 1
	for j >= 0 && cs[j].pending(m.cur) {
		j--
	}
	if j < 0 {
		return false
	}
	if c := cs[j].c; !(c <= evictable*m.g || c < est) {
		return false
	}
	vic := cs[j]
	m.cells.add(pairKey(e.key, vic.v), vic.c)
	e.tail += vic.c
	e.head = max(0, e.head-vic.c)
	m.dropUser(vic.v, vic.last(m.cur))
	copy(cs[j:], cs[j+1:])
	e.setCells(cs[:len(cs)-1])
	m.stats.EvictedCells++
	return true
}

// addValue gives value an exact population count starting from est,
// evicting the least used value if the budget is full; false sends it to
// the population sketch.
func (m *Model) addValue(key uint64, est float64) bool {
	if m.used()+valueBytes > m.limit && !m.evictValue(est) {
		return false
	}
	m.vals = append(m.vals, value{key: key, pop: est, last: math.MinInt64, pStamp: math.MinInt64})
	i := len(m.vals) - 1
	m.vidx[key] = uint32(i)
	m.reposition(i)
	m.popHead += est
	m.popTail = max(0, m.popTail-est)
	m.bytes += valueBytes
	return true
}

// evictValue moves the least used value not changed in the open bucket
// into the population sketch, if its mass is at most one user or below est.
func (m *Model) evictValue(est float64) bool {
	j := len(m.vals) - 1
	for k := 0; j >= 0 && m.vals[j].last == m.cur && k < samples; k++ {
		j--
	}
	if j < 0 || m.vals[j].last == m.cur {
		return false
	}
	vic := m.vals[j]
	if !(vic.pop <= evictable*m.g || vic.pop < est) {
		return false
	}
	m.pops.add(vic.key, vic.pop)
	m.popTail += vic.pop
	m.popHead = max(0, m.popHead-vic.pop)
	delete(m.vidx, vic.key)
	copy(m.vals[j:], m.vals[j+1:])
	m.vals = m.vals[:len(m.vals)-1]
	for k := j; k < len(m.vals); k++ {
		m.vidx[m.vals[k].key] = uint32(k)
	}
	m.bytes -= valueBytes
	m.stats.EvictedValues++
	return true
}
