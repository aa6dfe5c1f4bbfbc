package rare

import (
	"math"
	"slices"
	"time"

	"github.com/vigil-ml/vigil/internal/check"
	"github.com/vigil-ml/vigil/internal/codec"
)

const (
	magic   = "RARE"
	version = 1
)

// MarshalBinary snapshots the whole model, the open bucket included: a
// model restored with UnmarshalBinary continues exactly as the original
// would, bit for bit.
func (m *Model) MarshalBinary() ([]byte, error) {
	e := codec.NewEncoder(magic, version)
	c := m.cfg
	e.Int(int(c.BucketSpan))
	e.Int(int(c.HalfLife))
	e.Int(int(c.MemoryLimit))
	e.Int(c.MaxValuesPerEntity)
	e.Int(c.MaxValueBytes)
	e.Float64(c.TieRatio)
	e.Uint64(c.Seed)

	e.Int(int(m.ref))
	e.Int(int(m.cur))
	e.Bool(m.open)
	e.Float64(m.g)
	e.Uint64(m.rng)
	e.Int(int(m.typStamp))
	e.Bool(m.typOK)
	e.Float64(m.typ)
	e.Float64(m.popHead)
	e.Float64(m.popTail)
	e.Float64(m.popPend)
	s := m.stats
	for _, v := range []int64{s.Buckets, s.EvictedEntities, s.EvictedCells, s.EvictedValues, s.RefusedEntities, s.TailPairs, s.Dropped} {
		e.Int(int(v))
	}

	e.Int(m.tbl.n)
	e.Int(len(m.tbl.slots))
	for i := range m.tbl.slots {
		en := &m.tbl.slots[i]
		if !en.used() {
			continue
		}
		e.Int(i)
		e.Uint64(en.key)
		e.Float64(en.head)
		e.Float64(en.tail)
		e.Float64(en.pend)
		e.Int(int(en.first))
		e.Int(int(en.last))
		e.Int(int(en.n))
		e.Int(en.capCells())
		for _, c := range en.cells() {
			e.Uint64(c.v)
			e.Float64(c.c)
			e.Int(int(c.last(m.cur)))
			e.Uint64(uint64(c.hits(m.cur)))
		}
	}
	keys(e, m.touched)

	e.Int(len(m.vals))
	for _, v := range m.vals {
		e.Uint64(v.key)
		e.Float64(v.pop)
		e.Float64(v.delta)
		e.Int(int(v.last))
		e.Int(int(v.pStamp))
		e.Float64(v.pProb)
		e.Float64(v.pShare)
	}
	keys(e, m.vtouched)

	sketch(e, &m.cells)
	sketch(e, &m.pops)

	// The tail set in key order, so that equal models encode equally.
	tk := make([]uint64, 0, len(m.tailSet))
	for k := range m.tailSet {
		tk = append(tk, k)
	}
	slices.Sort(tk)
	e.Int(len(tk))
	for _, k := range tk {
		e.Uint64(k)
		e.Uint64(uint64(m.tailSet[k]))
	}
	return e.Bytes(), nil
}

func keys(e *codec.Encoder, k []uint64) {
	e.Int(len(k))
	for _, x := range k {
		e.Uint64(x)
	}
}

// sketch writes the counters two to a word.
func sketch(e *codec.Encoder, s *countMin) {
	e.Bool(s.c != nil)
	e.Float64(s.n)
	for i := 0; i < len(s.c); i += 2 {
		e.Uint64(uint64(math.Float32bits(s.c[i])) | uint64(math.Float32bits(s.c[i+1]))<<32)
	}
}

// UnmarshalBinary restores a model written by MarshalBinary. Corrupt,
// truncated or inconsistent data is an error wrapping ErrCorrupt; decoding
// never panics and allocates no more than the data's size justifies.
func (m *Model) UnmarshalBinary(data []byte) error {
	d, _, err := codec.NewDecoder(pkg, magic, version, data)
	if err != nil {
		return err
	}
	var cfg Config
	cfg.BucketSpan = time.Duration(d.Int())
	cfg.HalfLife = time.Duration(d.Int())
	cfg.MemoryLimit = int64(d.Int())
	cfg.MaxValuesPerEntity = d.Int()
	cfg.MaxValueBytes = d.Int()
	cfg.TieRatio = d.Float64()
	cfg.Seed = d.Uint64()
	if cfg.BucketSpan <= 0 || cfg.HalfLife <= 0 || cfg.MemoryLimit <= 0 || cfg.MaxValuesPerEntity <= 0 || cfg.MaxValueBytes <= 0 || cfg.TieRatio <= 0 {
		return check.Errorf(pkg, ErrCorrupt, "model data has an unset configuration field")
	}
	rc, err := cfg.resolve()
	if err != nil {
		return check.Errorf(pkg, ErrCorrupt, "model data has a bad configuration: %v", err)
	}
	n := &Model{}
	n.setup(rc)
	n.ref = int64(d.Int())
	n.cur = int64(d.Int())
	n.open = d.Bool()
	n.g = d.Float64()
	n.gPrev = n.scale(float64(n.cur - 1))
	n.rng = d.Uint64()
	n.typStamp = int64(d.Int())
	n.typOK = d.Bool()
	n.typ = d.Float64()
	n.popHead = d.Float64()
	n.popTail = d.Float64()
	n.popPend = d.Float64()
	st := &n.stats
	for _, p := range []*int64{&st.Buckets, &st.EvictedEntities, &st.EvictedCells, &st.EvictedValues, &st.RefusedEntities, &st.TailPairs, &st.Dropped} {
		*p = int64(d.IntIn("counter", 0, math.MaxInt))
	}
	if !(n.g > 0 && n.g <= math.Exp2(renormAt)*2) || !mass(n.typ) || !mass(n.popHead) || !mass(n.popTail) || !mass(n.popPend) {
		d.Fail("bad scale or population mass")
	}
	if n.rng == 0 {
		d.Fail("zero random state")
	}
	if n.cur < n.ref {
		d.Fail("open bucket %d before the reference bucket %d", n.cur, n.ref)
	}

	const entityWire, cellWire, valueWire = 9 * 8, 4 * 8, 7 * 8
	// Errors are sticky and later reads return zeros, so the loops below
	// run on to their (input-bounded) ends after a failure; Err is only
	// asked at the end, since it also reports unread bytes.
	ne := d.IntIn("entities", 0, len(data)/entityWire)
	size := d.IntIn("entity slots", 0, 8*ne+minSlots)
	if size != 0 && (size < minSlots || size&(size-1) != 0 || ne*maxLoadDen > size*maxLoadNum+maxLoadDen) {
		d.Fail("%d entity slots for %d entities", size, ne)
		size = 0
	}
	n.tbl.slots = make([]entity, size)
	if size == 0 && ne > 0 {
		d.Fail("entities without slots")
		ne = 0
	}
	K := rc.MaxValuesPerEntity
	seenV := make(map[uint64]struct{})
	open := 0
	for i := 0; i < ne; i++ {
		var en entity
		at := d.IntIn("slot", 0, max(0, size-1))
		en.key = d.Uint64()
		en.head, en.tail, en.pend = d.Float64(), d.Float64(), d.Float64()
		en.first, en.last = int64(d.Int()), int64(d.Int())
		nc := d.IntIn("cells", 0, min(K, len(data)/cellWire))
		cp := d.IntIn("cell capacity", 0, K)
		if cp != cellCap(nc, K) {
			d.Fail("entity %d has %d cells in a capacity of %d", i, nc, cp)
			break
		}
		if !mass(en.head) || !mass(en.tail) || !mass(en.pend) || en.first > n.cur || en.last > n.cur || en.first > en.last {
			d.Fail("entity %d has bad masses or buckets", i)
			break
		}
		if en.last == n.cur {
			open++
		} else if en.pend != 0 {
			d.Fail("entity %d has pending mass outside the open bucket", i)
		}
		if n.tbl.slots[at].used() {
			d.Fail("entity slot %d repeats", at)
			break
		}
		var cells []cell
		if cp > 0 {
			cells = make([]cell, nc, cp)
		}
		clear(seenV)
		for j := range nc {
			c := &cells[j]
			c.v = d.Uint64()
			c.c = d.Float64()
			last := int64(d.Int())
			hits := uint32(d.IntIn("hits", 0, min(math.MaxUint32, math.MaxInt)))
			if _, dup := seenV[c.v]; dup || !mass(c.c) || last > n.cur || uint64(n.cur)-uint64(last) > maxAge+(1<<60) /* renormalize keeps ages below */ || (j > 0 && cells[j-1].c < c.c) {
				d.Fail("entity %d cell %d is repeated, unsorted or out of range", i, j)
				break
			}
			seenV[c.v] = struct{}{}
			if (last == n.cur) != (hits > 0) || (last == n.cur && en.last != n.cur) {
				d.Fail("entity %d cell %d has a bad pending state", i, j)
				break
			}
			c.lh = last
			if hits > 0 {
				c.lh = int64(uint64(n.cur) + uint64(hits))
			}
		}
		en.setCells(cells)
		en.capUsed |= usedBit
		n.tbl.slots[at] = en
		n.tbl.n++
		n.bytes += entityBytes + int64(cp)*cellBytes
	}
	// Every key must be found where it was stored (this also rejects
	// repeated keys: the first copy would be found for both).
	for i := range n.tbl.slots {
		if n.tbl.slots[i].used() && n.tbl.find(n.tbl.slots[i].key) != i {
			d.Fail("entity slot %d is off its probe path", i)
			break
		}
	}
	n.touched = readKeys(d, len(data))
	checkTouched(d, n.touched, open, func(k uint64) bool {
		p := n.tbl.find(k)
		return p >= 0 && n.tbl.slots[p].last == n.cur
	})

	nv := d.IntIn("values", 0, len(data)/valueWire)
	n.vals = make([]value, 0, nv)
	open = 0
	for i := 0; i < nv; i++ {
		var v value
		v.key = d.Uint64()
		v.pop, v.delta = d.Float64(), d.Float64()
		v.last, v.pStamp = int64(d.Int()), int64(d.Int())
		v.pProb, v.pShare = d.Float64(), d.Float64()
		if _, dup := n.vidx[v.key]; dup || !mass(v.pop) || !finite(v.delta) || !mass(v.pProb) || v.pProb > 1 || !mass(v.pShare) ||
			!stamp(v.last, n.cur) || !stamp(v.pStamp, n.cur) || (i > 0 && n.vals[i-1].pop < v.pop) {
			d.Fail("value %d is repeated, unsorted or out of range", i)
			break
		}
		if v.last == n.cur {
			open++
		} else if v.delta != 0 {
			d.Fail("value %d has a pending change outside the open bucket", i)
		}
		n.vidx[v.key] = uint32(len(n.vals))
		n.vals = append(n.vals, v)
		n.bytes += valueBytes
	}
	n.vtouched = readKeys(d, len(data))
	checkTouched(d, n.vtouched, open, func(k uint64) bool {
		p, ok := n.vidx[k]
		return ok && n.vals[p].last == n.cur
	})

	// The sketches are sized by the memory limit: each is allocated only if
	// the data can hold its counters.
	readSketch(d, &n.cells, len(data))
	readSketch(d, &n.pops, len(data))
	nt := d.IntIn("tail pairs", 0, n.tailCap)
	var prev uint64
	for i := 0; i < nt; i++ {
		k := d.Uint64()
		h := d.IntIn("tail hits", 1, min(math.MaxUint32, math.MaxInt))
		if i > 0 && k <= prev {
			d.Fail("tail pairs out of order")
		}
		prev = k
		n.tailSet[k] = uint32(h)
	}
	if err := d.Err(); err != nil {
		return err
	}
	if n.used() > n.limit {
		return check.Errorf(pkg, ErrCorrupt, "model data holds %d bytes of state, over its limit of %d", n.used(), n.limit)
	}
	if !n.open && (n.tbl.n > 0 || len(n.vals) > 0) {
		return check.Errorf(pkg, ErrCorrupt, "model data has state but no open bucket")
	}
	*m = *n
	return nil
}

// cellCap is the capacity addCell gives n cells: 0, then 2, 4, 8, … up
// to the entity limit K.
func cellCap(n, K int) int {
	if n == 0 {
		return 0
	}
	c := min(2, K)
	for c < n {
		c = min(2*c, K)
	}
	return c
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
func mass(x float64) bool   { return x >= 0 && finite(x) }
func stamp(b, cur int64) bool {
	return b == math.MinInt64 || b <= cur
}

func readKeys(d *codec.Decoder, size int) []uint64 {
	n := d.IntIn("touched keys", 0, size/8)
	k := make([]uint64, n)
	for i := range k {
		k[i] = d.Uint64()
	}
	return k
}

// checkTouched checks that a touched list names each of the open records
// once.
func checkTouched(d *codec.Decoder, k []uint64, open int, isOpen func(uint64) bool) {
	if len(k) != open {
		d.Fail("%d touched keys for %d open records", len(k), open)
		return
	}
	seen := make(map[uint64]struct{}, len(k))
	for _, x := range k {
		if _, dup := seen[x]; dup || !isOpen(x) {
			d.Fail("touched key %#x is repeated or not open", x)
			return
		}
		seen[x] = struct{}{}
	}
}

func readSketch(d *codec.Decoder, s *countMin, size int) {
	present := d.Bool()
	if s.n = d.Float64(); !mass(s.n) || (!present && s.n != 0) {
		d.Fail("bad sketch total")
		return
	}
	if !present {
		return
	}
	if s.bytes() > int64(size) {
		d.Fail("model data of %d bytes cannot hold a sketch of %d bytes", size, s.bytes())
		return
	}
	s.alloc()
	for i := 0; i < len(s.c); i += 2 {
		w := d.Uint64()
		a, b := math.Float32frombits(uint32(w)), math.Float32frombits(uint32(w>>32))
		if !(a >= 0 && b >= 0) || math.IsInf(float64(a), 0) || math.IsInf(float64(b), 0) {
			d.Fail("sketch counter is negative or not finite")
			return
		}
		s.c[i], s.c[i+1] = a, b
	}
}
