package rare

import (
	"errors"
	"math"
	"time"
	"unsafe"

	"github.com/vigil-ml/vigil/internal/check"
)

const pkg = "rare"

// Errors returned by this package; errors.Is matches the shared ones across
// Vigil.
var (
	ErrEmpty     = check.ErrEmpty
	ErrNonFinite = check.ErrNonFinite
	ErrConfig    = check.ErrConfig
	ErrCorrupt   = check.ErrCorrupt
	ErrDimension = check.ErrDimension
	// ErrTimeOrder reports an observation for a bucket before the open one.
	ErrTimeOrder = errors.New("time went backwards")
	// ErrTooLong reports an entity or value longer than Config.MaxValueBytes.
	ErrTooLong = errors.New("value too long")
)

// Defaults of Config's zero fields.
const (
	DefaultBucketSpan         = 5 * time.Minute
	DefaultHalfLife           = 30 * 24 * time.Hour
	DefaultMemoryLimit        = 128 << 20
	DefaultMaxValuesPerEntity = 256
	DefaultMaxValueBytes      = 4096
	DefaultTieRatio           = 2
	minMemoryLimit            = 1 << 20
)

// Config configures a Model. The zero value means the documented defaults.
type Config struct {
	// BucketSpan is the length of a bucket, used by BucketOf and to express
	// HalfLife in buckets; default 5 minutes (Elastic's bucket_span default).
	BucketSpan time.Duration
	// HalfLife is the time after which old evidence weighs half; default 30
	// days, close to Elastic's rare decay (0.0005 per 30-minute bucket, a
	// half-life of about 29 days for spans up to 30 minutes). It must be at
	// least one bucket.
	HalfLife time.Duration
	// MemoryLimit is the budget in bytes for the model's heap, including the
	// garbage collector's headroom; default 128 MiB, at least 1 MiB. The
	// model keeps its own state below 45 % of it (see the package doc).
	MemoryLimit int64
	// MaxValuesPerEntity is the number of values an entity keeps exact
	// counts for; default 256. Less used values of the entity live in the
	// count-min tail.
	MaxValuesPerEntity int
	// MaxValueBytes is the longest entity or value string accepted by
	// Observe; default 4096. Longer ones are refused with ErrTooLong rather
	// than truncated, since truncation would merge distinct values.
	MaxValueBytes int
	// TieRatio is the factor within which a more used value still counts
	// as no more likely than the one being scored; default 2, at least 1
	// (1 is Elastic's strict order, up to the one-standard-error band).
	// Rarity is a matter of orders of magnitude: under a strict order the
	// least used of many regular values always looks rare, by chance alone.
	TieRatio float64
	// Seed seeds the string hash (any value, 0 included).
	Seed uint64
}

func (c Config) resolve() (Config, error) {
	if c.BucketSpan == 0 {
		c.BucketSpan = DefaultBucketSpan
	}
	if c.HalfLife == 0 {
		c.HalfLife = DefaultHalfLife
	}
	if c.MemoryLimit == 0 {
		c.MemoryLimit = DefaultMemoryLimit
	}
	if c.MaxValuesPerEntity == 0 {
		c.MaxValuesPerEntity = DefaultMaxValuesPerEntity
	}
	if c.MaxValueBytes == 0 {
		c.MaxValueBytes = DefaultMaxValueBytes
	}
	if c.TieRatio == 0 {
		c.TieRatio = DefaultTieRatio
	}
	switch {
	case !(c.TieRatio >= 1 && c.TieRatio <= 1e6):
		return c, check.Errorf(pkg, ErrConfig, "tie ratio %v outside 1 to 1e6", c.TieRatio)
	case c.BucketSpan < 0:
		return c, check.Errorf(pkg, ErrConfig, "bucket span %v is negative", c.BucketSpan)
	case c.HalfLife < c.BucketSpan:
		return c, check.Errorf(pkg, ErrConfig, "half-life %v is shorter than the bucket span %v", c.HalfLife, c.BucketSpan)
	case float64(c.HalfLife)/float64(c.BucketSpan) > 1<<40:
		return c, check.Errorf(pkg, ErrConfig, "half-life %v is more than 2^40 buckets of %v", c.HalfLife, c.BucketSpan)
	case c.MemoryLimit < minMemoryLimit || c.MemoryLimit > 1<<46:
		return c, check.Errorf(pkg, ErrConfig, "memory limit %d bytes outside 1 MiB to 64 TiB", c.MemoryLimit)
	case c.MaxValuesPerEntity < 1 || c.MaxValuesPerEntity > 1<<16:
		return c, check.Errorf(pkg, ErrConfig, "max values per entity %d outside 1 to 65536", c.MaxValuesPerEntity)
	case c.MaxValueBytes < 1 || c.MaxValueBytes > 1<<30:
		return c, check.Errorf(pkg, ErrConfig, "max value bytes %d outside 1 to 2^30", c.MaxValueBytes)
	}
	return c, nil
}

// Result is what the model says about one observation, against the model as
// it stood when the bucket opened: observations within a bucket do not
// change each other's results, whatever their order.
type Result struct {
	// Repeat is true when the pair was already observed in this bucket. A
	// value counts at most once per bucket and entity, so a repeat is not
	// scored again: its scores are zero and the first result of the pair
	// stands. Hits still counts it.
	Repeat bool
	// Hits is the number of observations of the pair in the open bucket so
	// far, this one included (the interaction count of freq_rare).
	Hits int

	// Probability is the entity's probability of a value no more likely
	// than this one: the total share of the values whose count is at most
	// this value's count plus one standard error (see the package doc). In
	// (0, 1]; low is rare.
	Probability float64
	// Share is the value's expected share of the entity's observations
	// (Elastic's actual concentration), 0 for a never-seen value.
	Share float64
	// Typical is the share of the entity's median value: the value at which
	// the entity's observations, most used first, pass half their mass
	// (Elastic's median concentration).
	Typical float64
	// FirstForEntity is true when the entity has never been seen with the
	// value (as far as the model can tell: exact for values with an exact
	// count, a count-min membership test for tail values).
	FirstForEntity bool
	// History is the entity's decayed number of value-bucket observations
	// before this bucket, and Age the number of buckets since the entity
	// was first seen: a caller can discount the first values of a young
	// entity, for which everything is new.
	History float64
	Age     int64

	// PopProbability, PopShare and PopTypical are the same three numbers
	// for the population view, where a value's mass is the number of
	// distinct entities that used it, each weighted by the decay since its
	// last use (rare … over).
	PopProbability float64
	PopShare       float64
	PopTypical     float64
	// Users is the decayed number of distinct entities that used the value
	// before this bucket; FirstForPopulation is true when none ever did.
	Users              float64
	FirstForPopulation bool

	// Tail is true when the value's count for the entity came from the
	// count-min sketch; Refused when the entity could not be stored because
	// memory is full of better established state (its observations are then
	// learned in the sketch only).
	Tail    bool
	Refused bool
}

// Stats describes the model's state and the work of its memory bound.
type Stats struct {
	Buckets  int64 // buckets closed
	Entities int   // entities with exact state
	Cells    int   // exact entity–value counts
	Values   int   // values with an exact population count
	// Bytes is the accounted size of the model's state, Limit the part of
	// Config.MemoryLimit it may use.
	Bytes, Limit int64
	// EvictedEntities, EvictedCells and EvictedValues count state moved out
	// of the exact head (entities are forgotten; entity–value counts and
	// population counts go into the count-min tail).
	EvictedEntities, EvictedCells, EvictedValues int64
	// RefusedEntities counts new entities not stored because every
	// eviction candidate was better established.
	RefusedEntities int64
	// TailPairs counts entity–value pairs learned in the sketch because the
	// entity's exact values were all better established.
	TailPairs int64
	// Dropped counts pair observations not learned at all because the
	// bucket's tail de-duplication set was full.
	Dropped int64
}

// cell is an entity's exact count of one value: 24 bytes. The bucket of
// the value's last use and its hit count in the open bucket share one word:
// a hit count is only kept while the value is pending (used in the open
// bucket cur), when its last use is cur itself, so the word holds either
// the last use (a bucket before cur) or cur + hits (wrapping, with hits
// from 1 to 2^32 − 1). A bucket before cur never reads as pending, since
// renormalize keeps every last use within 2^62 buckets of cur.
type cell struct {
	v  uint64
	c  float64 // scaled count before the open bucket
	lh int64   // last use, or cur + hits when pending in the open bucket cur
}

// pending reports whether the value was used in the open bucket cur.
func (c *cell) pending(cur int64) bool { return uint64(c.lh)-uint64(cur)-1 < math.MaxUint32 }

// hits returns the value's uses in the open bucket cur, 0 unless pending.
func (c *cell) hits(cur int64) uint32 {
	if !c.pending(cur) {
		return 0
	}
	return uint32(uint64(c.lh) - uint64(cur))
}

// last returns the bucket of the value's last use.
func (c *cell) last(cur int64) int64 {
	if c.pending(cur) {
		return cur
	}
	return c.lh
}

// openCell returns lh for a first use in the open bucket cur.
func openCell(cur int64) int64 { return int64(uint64(cur) + 1) }

// maxAge is the age beyond which a last use is moved up to it: its decay
// weight, 2^(−age/half-life) with a half-life of at most 2^40 buckets, is
// zero in float64 either way.
const maxAge = 1 << 62

// entity is an entity's record, held in its table slot: 64 bytes, one
// cache line, so that finding an entity costs one line from memory. Tables
// of largeSlots slots or more, the ones that outgrow the cache, are large
// allocations, which Go aligns to pages; smaller ones start 8 bytes into a
// line (the allocation header of objects with pointers) and stay cached.
// The cells are held as a pointer and two 32-bit sizes rather than a slice.
type entity struct {
	key         uint64
	head, tail  float64 // scaled masses: exact cells, sketch
	pend        float64 // tail mass pending in the open bucket
	first, last int64
	cp          *cell  // cells, sorted by c, most used first
	n           uint32 // number of cells
	capUsed     uint32 // capacity of cp, with usedBit set when the slot holds a record
}

const usedBit = 1 << 31

// used reports whether the slot holds a record.
func (e *entity) used() bool { return e.capUsed&usedBit != 0 }

// cells returns the entity's cells.
func (e *entity) cells() []cell {
	if e.cp == nil {
		return nil
	}
	return unsafe.Slice(e.cp, e.capUsed&^usedBit)[:e.n]
}

// capCells returns the capacity of the entity's cells.
func (e *entity) capCells() int { return int(e.capUsed &^ usedBit) }

// setCells makes c the entity's cells.
func (e *entity) setCells(c []cell) {
	e.cp, e.n = nil, uint32(len(c))
	if cap(c) > 0 {
		e.cp = unsafe.SliceData(c)
	}
	e.capUsed = e.capUsed&usedBit | uint32(cap(c))
}

type value struct {
	key    uint64
	pop    float64 // scaled decayed distinct users
	delta  float64 // change pending in the open bucket
	last   int64   // bucket of the last pending change
	pStamp int64   // bucket the cached population scores belong to
	pProb  float64
	pShare float64
}

// Accounted sizes: the records plus a map entry and a touched-list entry.
const (
	cellBytes   = int64(unsafe.Sizeof(cell{}))
	entityBytes = int64(8)                                 // a touched-list entry; the record is in the table's slots
	valueBytes  = 2*int64(unsafe.Sizeof(value{})) + 32 + 8 // with its share of the sort buffer
	tailBytes   = 32
	// liveShare of MemoryLimit is the model's own state; the rest is the
	// garbage collector's headroom (GOGC=100 lets the heap reach about
	// twice the live data) and slack for growing tables.
	liveShare = 0.45
	// evictable is the mass, in observations, at or below which state may
	// be evicted: a single decayed use.
	evictable = 1 + 1e-9
	// samples is the number of random eviction candidates drawn.
	samples = 8
	// renormAt is the exponent of the decay scale at which every mass is
	// rescaled, far from float64 overflow.
	renormAt = 40
)

// Model is the streaming rarity model. It is not safe for concurrent use; a
// caller that shares one guards it with a mutex, or shards entities over
// several models.
type Model struct {
	cfg   Config
	basis uint64
	hl    float64 // half-life in buckets
	limit int64

	ref, cur int64
	open     bool
	g        float64 // scale of the open bucket, 2^((cur−ref)/hl)
	gPrev    float64 // scale of the bucket before it, the usual previous use

	tbl     entTable
	touched []uint64

	vals                      []value // sorted by pop, most used first
	vidx                      map[uint64]uint32
	vtouched                  []uint64
	scratch                   []value // resortVals' buffer
	popHead, popTail, popPend float64

	cells, pops countMin
	tailSet     map[uint64]uint32
	tailCap     int

	typStamp int64 // bucket of the cached population typical share
	typOK    bool
	typ      float64

	rng   uint64
	bytes int64
	fixed int64
	stats Stats
}

// New returns an empty model.
func New(cfg Config) (*Model, error) {
	c, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	m := &Model{}
	m.setup(c)
	return m, nil
}

func pow2Below(n int64) int {
	w := 1
	for int64(w)*2 <= n {
		w *= 2
	}
	return w
}

// setup sizes the model from a resolved config.
func (m *Model) setup(c Config) {
	m.cfg = c
	m.basis = mix64(fnvOffset ^ c.Seed)
	m.hl = float64(c.HalfLife) / float64(c.BucketSpan)
	L := c.MemoryLimit
	m.cells = newCountMin(pow2Below(L / 32 / 4 / cmsDepth))
	m.pops = newCountMin(pow2Below(L / 64 / 4 / cmsDepth))
	m.tailCap = int(L / 64 / tailBytes)
	m.fixed = m.cells.bytes() + m.pops.bytes() + int64(m.tailCap)*tailBytes
	m.limit = int64(float64(L) * liveShare)
	m.vidx = make(map[uint64]uint32)
	m.tailSet = make(map[uint64]uint32)
	m.rng = mix64(c.Seed ^ 0x2545f4914f6cdd1d)
	m.g = 1
	m.bytes = m.fixed
}

// used returns the accounted bytes of the model's state.
func (m *Model) used() int64 { return m.bytes + int64(len(m.tbl.slots))*slotBytes }

// Config returns the model's configuration with defaults filled in.
func (m *Model) Config() Config { return m.cfg }

// Stats returns the model's counters.
func (m *Model) Stats() Stats {
	s := m.stats
	s.Entities, s.Values = m.tbl.n, len(m.vals)
	for i := range m.tbl.slots {
		s.Cells += int(m.tbl.slots[i].n)
	}
	s.Bytes, s.Limit = m.used(), m.limit
	return s
}

// Bucket returns the open bucket and whether one is open (false before the
// first observation).
func (m *Model) Bucket() (int64, bool) { return m.cur, m.open }

// BucketOf returns the index of the bucket holding t: ⌊t / BucketSpan⌋,
// counted from the Unix epoch.
func (m *Model) BucketOf(t time.Time) int64 {
	span := int64(m.cfg.BucketSpan)
	sec, nsec := t.Unix(), int64(t.Nanosecond())
	perSec := int64(time.Second)
	if span%perSec == 0 {
		s := span / perSec
		return floorDiv(sec, s)
	}
	// Sub-second spans: split to avoid overflowing int64 nanoseconds.
	q := floorDiv(sec, span) * perSec
	r := (sec-floorDiv(sec, span)*span)*perSec + nsec
	return q + floorDiv(r, span)
}

// BucketOfSeconds is BucketOf for a Unix time in seconds, as event
// pipelines often carry it; NaN, ±Inf and times beyond ±2^62 seconds are
// errors.
func (m *Model) BucketOfSeconds(sec float64) (int64, error) {
	if math.IsNaN(sec) || math.IsInf(sec, 0) {
		return 0, check.Errorf(pkg, ErrNonFinite, "timestamp %v is not finite", sec)
	}
	if math.Abs(sec) > 1<<62 {
		return 0, check.Errorf(pkg, ErrTimeOrder, "timestamp %v seconds is out of range", sec)
	}
	s := math.Floor(sec)
	return m.BucketOf(time.Unix(int64(s), int64((sec-s)*1e9))), nil
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// Observe records that entity used value in bucket and returns the value's
// rarity for the entity and the population. Buckets must not decrease: an
// observation for a later bucket closes the open one, one for an earlier
// bucket is refused with ErrTimeOrder. The entity may be "" (one job-wide
// series); the value must not be empty.
func (m *Model) Observe(bucket int64, entity, value string) (Result, error) {
	if value == "" {
		return Result{}, check.Errorf(pkg, ErrEmpty, "empty value for entity %.64q", entity)
	}
	if len(value) > m.cfg.MaxValueBytes || len(entity) > m.cfg.MaxValueBytes {
		return Result{}, check.Errorf(pkg, ErrTooLong, "entity of %d bytes or value of %d bytes exceeds the limit of %d", len(entity), len(value), m.cfg.MaxValueBytes)
	}
	return m.ObserveHash(bucket, m.HashString(entity), m.HashString(value))
}

// ObserveHash is Observe for keys already hashed with HashString or
// HashBytes: the allocation-free path.
func (m *Model) ObserveHash(bucket int64, entity, value uint64) (Result, error) {
	if err := m.Advance(bucket); err != nil {
		return Result{}, err
	}
	return m.observe(entity, value), nil
}

// batchChunk is the number of table slots closeBucket walks between
// prefetches of their values.
const batchChunk = 32

// Prefetch distances of ObserveBatch, in observations: the home slot of the
// entity slotAhead observations ahead is requested, then, once it has had
// time to arrive, the first lines of the values of the entity cellsAhead
// ahead. A miss to memory costs about as much as scoring a few
// observations, so these keep several misses in flight behind the work.
const (
	slotAhead  = 16
	cellsAhead = 8
)

// ObserveBatch observes the pairs (entities[i], values[i]) of one bucket in
// order and writes their results to out[i]: the same results, and the same
// model afterwards, as calling ObserveHash for each pair in turn. It is
// faster on large models, where each observation starts with cache misses
// on its entity's record and values: it prefetches the records and values
// of later observations while it works on the current one, so that the
// processor fetches them in parallel.
func (m *Model) ObserveBatch(bucket int64, entities, values []uint64, out []Result) error {
	if len(values) != len(entities) || len(out) < len(entities) {
		return check.Errorf(pkg, ErrDimension, "batch of %d entities, %d values and %d results", len(entities), len(values), len(out))
	}
	if err := m.Advance(bucket); err != nil {
		return err
	}
	n := len(entities)
	if len(m.tbl.slots) == 0 || n < 2*cellsAhead {
		for i := range n {
			out[i] = m.observe(entities[i], values[i])
		}
		return nil
	}
	for i := range min(n, slotAhead) {
		m.prefetchSlot(entities[i])
	}
	for i := range min(n, cellsAhead) {
		m.prefetchCells(entities[i])
	}
	for i := range n {
		if j := i + slotAhead; j < n {
			m.prefetchSlot(entities[j])
		}
		if j := i + cellsAhead; j < n {
			m.prefetchCells(entities[j])
		}
		out[i] = m.observe(entities[i], values[i])
	}
	return nil
}

// prefetchSlot requests the line of key's home slot.
func (m *Model) prefetchSlot(key uint64) {
	prefetch(uintptr(unsafe.Pointer(&m.tbl.slots[m.tbl.home(key)])))
}

// prefetchCells requests the first lines of the values of the entity in
// key's home slot (a slot found further along its probe run is not
// followed: it is rare, and the observation is then merely slower).
func (m *Model) prefetchCells(key uint64) {
	e := &m.tbl.slots[m.tbl.home(key)]
	if e.key == key && e.cp != nil {
		prefetch4(uintptr(unsafe.Pointer(e.cp)))
	}
}

// observe is ObserveHash within the open bucket.
func (m *Model) observe(entity, value uint64) Result {
	var r Result
	pk := pairKey(entity, value)
	pos := m.tbl.find(entity)
	if pos < 0 {
		var stored bool
		pos, stored = m.addEntity(entity)
		if !stored {
			return m.observeUnstored(pk, value)
		}
	}
	e := &m.tbl.slots[pos]
	if e.last != m.cur {
		e.last = m.cur
		m.touched = append(m.touched, entity)
	}
	i := e.find(value)
	prevUse := math.Inf(-1) // bucket of the pair's previous use, for the population
	if i >= 0 {
		c := &e.cells()[i]
		if c.pending(m.cur) {
			if uint64(c.lh)-uint64(m.cur) < math.MaxUint32 {
				c.lh = int64(uint64(c.lh) + 1)
			}
			return Result{Repeat: true, Hits: int(c.hits(m.cur))}
		}
		m.scoreEntity(e, c.c, false, &r)
		prevUse = float64(c.lh)
		c.lh = openCell(m.cur)
		r.Hits = 1
	} else {
		if h, seen := m.tailSet[pk]; seen {
			if h < math.MaxUint32 {
				m.tailSet[pk] = h + 1
			}
			return Result{Repeat: true, Hits: int(h + 1)}
		}
		est := 0.0
		if e.tail > 0 {
			est = min(m.cells.estimate(pk), e.tail)
		}
		m.scoreEntity(e, est, true, &r)
		r.Hits = 1
		if !m.addCell(entity, value, est) {
			e = &m.tbl.slots[m.tbl.find(entity)]
			r.Tail = true
			if !m.learnTail(pk) {
				m.scoreValue(value, &r)
				return r
			}
			e.pend += m.g
			m.stats.TailPairs++
		}
	}
	m.observeValue(value, prevUse, &r)
	return r
}

// observeUnstored handles a pair whose entity could not be stored: it is
// scored as a pair of a new entity and learned in the sketches only.
func (m *Model) observeUnstored(pk, value uint64) Result {
	if h, seen := m.tailSet[pk]; seen {
		if h < math.MaxUint32 {
			m.tailSet[pk] = h + 1
		}
		return Result{Repeat: true, Hits: int(h + 1)}
	}
	r := Result{Probability: 1, FirstForEntity: true, Refused: true, Tail: true, Hits: 1}
	if !m.learnTail(pk) {
		m.scoreValue(value, &r)
		return r
	}
	m.observeValue(value, math.Inf(-1), &r)
	return r
}

// learnTail marks a tail pair seen in the open bucket and adds one use to
// its sketch count; false if the bucket's tail set is full.
func (m *Model) learnTail(pk uint64) bool {
	if len(m.tailSet) >= m.tailCap {
		m.stats.Dropped++
		return false
	}
	m.tailSet[pk] = 1
	m.cells.add(pk, m.g)
	return true
}

// scale returns the decay scale of bucket b relative to the model's reference.
func (m *Model) scale(b float64) float64 { return math.Exp2((b - float64(m.ref)) / m.hl) }

// observeValue scores value for the population and records the pending
// change of its distinct-user mass: this entity's use now replaces its use
// at bucket prevUse (−Inf if none is known).
func (m *Model) observeValue(value uint64, prevUse float64, r *Result) {
	gain := m.g
	switch {
	case prevUse == float64(m.cur-1):
		gain -= m.gPrev
	case !math.IsInf(prevUse, -1):
		gain -= m.scale(prevUse)
	}
	pos, ok := m.vidx[value]
	if !ok {
		est := 0.0
		if m.popTail > 0 {
			est = min(m.pops.estimate(value), m.popTail)
		}
		m.scorePop(est, r)
		r.FirstForPopulation = est == 0
		if !m.addValue(value, est) {
			m.popPend += gain
			m.pops.add(value, gain)
			return
		}
		v := &m.vals[m.vidx[value]]
		v.pStamp, v.pProb, v.pShare = m.cur, r.PopProbability, r.PopShare
		m.pend(v, value, gain)
		return
	}
	v := &m.vals[pos]
	if v.pStamp != m.cur {
		m.scorePop(v.pop, r)
		v.pStamp, v.pProb, v.pShare = m.cur, r.PopProbability, r.PopShare
	} else {
		r.PopProbability, r.PopShare = v.pProb, v.pShare
		r.PopTypical = m.popTypical()
		r.Users = v.pop / m.g
	}
	r.FirstForPopulation = v.pop == 0
	m.pend(v, value, gain)
}

// scoreValue fills the population part of r without learning anything,
// for observations the model has no room to learn.
func (m *Model) scoreValue(value uint64, r *Result) {
	if pos, ok := m.vidx[value]; ok {
		m.scorePop(m.vals[pos].pop, r)
		r.FirstForPopulation = m.vals[pos].pop == 0
		return
	}
	est := 0.0
	if m.popTail > 0 {
		est = min(m.pops.estimate(value), m.popTail)
	}
	m.scorePop(est, r)
	r.FirstForPopulation = est == 0
}

func (m *Model) pend(v *value, key uint64, d float64) {
	if v.last != m.cur {
		v.last = m.cur
		m.vtouched = append(m.vtouched, key)
	}
	v.delta += d
}

// find returns the index of value's cell, or −1.
func (e *entity) find(v uint64) int {
	cs := e.cells()
	for i := range cs {
		if cs[i].v == v {
			return i
		}
	}
	return -1
}

// lessLikely returns the mass of the sorted (descending) counts at or below
// t, as head minus the larger ones or as the sum of the smaller ones,
// whichever is shorter to add up. count(i) reads the i-th count.
func lessLikelyCells(cells []cell, head, t float64) float64 {
	lo, hi := 0, len(cells)
	for lo < hi { // first index whose count is <= t
		mid := int(uint(lo+hi) >> 1)
		if cells[mid].c > t {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	s := 0.0
	if lo < len(cells)-lo {
		for j := range lo {
			s += cells[j].c
		}
		s = head - s
	} else {
		for j := lo; j < len(cells); j++ {
			s += cells[j].c
		}
	}
	return max(s, 0)
}

func lessLikelyVals(vals []value, head, t float64) float64 {
	lo, hi := 0, len(vals)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if vals[mid].pop > t {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	s := 0.0
	if lo < len(vals)-lo {
		for j := range lo {
			s += vals[j].pop
		}
		s = head - s
	} else {
		for j := lo; j < len(vals); j++ {
			s += vals[j].pop
		}
	}
	return max(s, 0)
}

// bound returns the count up to which values count as no more likely than
// one of scaled count c: TieRatio times it plus one standard error (√count
// in observations, at least one observation), Vigil's stand-in for
// Elastic's posterior bounds and tie guard.
func (m *Model) bound(c float64) float64 {
	return m.cfg.TieRatio*c + max(m.g, math.Sqrt(c*m.g))
}

// scoreEntity fills the entity part of r for a value of scaled count c.
func (m *Model) scoreEntity(e *entity, c float64, tail bool, r *Result) {
	alpha := m.g // one observation of pseudo-mass for values not yet seen
	total := e.head + e.tail + alpha
	cs := e.cells()
	le := lessLikelyCells(cs, e.head, m.bound(c)) + e.tail + alpha
	r.Probability = min(1, le/total)
	r.Share = c / total
	r.FirstForEntity = c == 0
	r.Tail = tail && c > 0
	r.History = (e.head + e.tail) / m.g
	r.Age = m.cur - e.first
	// Typical: the share of the value where the cumulative mass, most used
	// first, passes half of the entity's mass.
	half, acc := (e.head+e.tail)/2, 0.0
	for j := range cs {
		acc += cs[j].c
		if acc >= half {
			r.Typical = cs[j].c / total
			break
		}
	}
	if acc < half && len(cs) > 0 {
		r.Typical = cs[len(cs)-1].c / total
	}
}

// scorePop fills the population part of r for a value of scaled mass c.
func (m *Model) scorePop(c float64, r *Result) {
	alpha := m.g
	total := m.popHead + m.popTail + alpha
	le := lessLikelyVals(m.vals, m.popHead, m.bound(c)) + m.popTail + alpha
	r.PopProbability = min(1, le/total)
	r.PopShare = c / total
	r.PopTypical = m.popTypical()
	r.Users = c / m.g
}

// popTypical returns the population's median share, computed once per bucket.
func (m *Model) popTypical() float64 {
	if m.typStamp == m.cur && m.typOK {
		return m.typ
	}
	m.typStamp, m.typOK, m.typ = m.cur, true, m.medianPop()
	return m.typ
}

func (m *Model) medianPop() float64 {
	total := m.popHead + m.popTail + m.g
	half, acc := (m.popHead+m.popTail)/2, 0.0
	for j := range m.vals {
		acc += m.vals[j].pop
		if acc >= half {
			return m.vals[j].pop / total
		}
	}
	if len(m.vals) > 0 {
		return m.vals[len(m.vals)-1].pop / total
	}
	return 0
}
