package timeseries

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"time"
	"unsafe"

	"github.com/axiomhq/hyperloglog"

	"github.com/vigil-ml/vigil/internal/check"
	"github.com/vigil-ml/vigil/internal/tsmodel"
)

// Engine runs one job over a stream of events. It is a value the caller
// owns and is not safe for concurrent use; distinct Engines share nothing.
type Engine struct {
	job  Job
	dets []detector

	spanMs  int64 // bucket span in milliseconds
	latMs   int64 // latency in milliseconds
	slots   int64 // open-bucket ring size
	started bool
	open    int64 // index of the earliest open bucket
	latest  int64 // latest event time seen, unix ms

	series []series // arena; dead slots are on free
	// minmax holds a metric detector's min and max models by series slot
	// (model is the mean's); kept beside the arena so that the other
	// functions' series stay within 1 KiB an entity.
	minmax map[int32]*[2]tsmodel.Series
	acc    []accum // len(series)*slots accumulators
	free   []int32 // dead series slots, reused LIFO
	index  seriesIndex
	parts  map[string]partRef // partition value -> its stored copy and live series
	events []int64            // per slot: events accepted into the bucket
	side   []sideTable        // per slot: influencer contributions

	pruneBuckets int64 // configured prune window in buckets (0: never)
	effPrune     int64 // current prune window, shrunk at soft_limit
	bytes        int64 // accounted model bytes
	status       MemoryStatus
	stats        Stats

	// scratch reused across bucket closes
	pending   []pendingRec
	plots     []ModelPlot
	plotTerms map[string]bool

	x  extState  // population, rare and time-of detectors (ext.go)
	rl ruleState // custom rules and calendars (rules.go, calendar.go)
}

type detector struct {
	cfg    Detector
	f      fn
	side   tsmodel.Side
	params *tsmodel.Params
	// influencer field i is this detector's by (1) or partition (2) field
	self     []uint8
	exclFreq bool
	// side0: no influencer needs per-value contributions, so the model
	// scores and learns a bucket in one pass
	side0 bool
}

type partRef struct {
	s string
	n int32
}

type seriesKey struct {
	part, by string
	det      uint16
}

type series struct {
	// Hot fields first: the index check and the per-event updates touch
	// one cache line, not the model's.
	part    string
	by      string
	det     uint16
	alive   bool
	present uint32 // buckets with data (saturating)
	first   int64  // first bucket with data
	last    int64  // last bucket with data
	model   tsmodel.Series
}

// accum collects one series' events in one open bucket.
type accum struct {
	count    float64 // events, weighted by the summary count
	n        float64 // numeric values (weighted by the summary count for mean)
	sum, cmp float64 // Neumaier sum and its compensation
	min, max float64
	dist     *distinctSet
	m        *metricAcc // varp, median, info_content (metricext.go)
}

type distinctSet struct {
	exact map[uint64]struct{}
	hll   *hyperloglog.Sketch
	peak  int // largest len(exact) since the map was made
}

func (d *distinctSet) count() float64 {
	if d == nil {
		return 0
	}
	if d.hll != nil {
		return float64(d.hll.Estimate())
	}
	return float64(len(d.exact))
}

// sideTable holds, for one open bucket, what each influencer value
// contributed to each series.
type sideTable struct {
	idx  map[infKey]int32
	ents []infEntry
	dist map[[2]uint64]struct{} // (entry, value hash) for distinct_count
}

type infKey struct {
	series int32
	field  uint16
	h      uint64
}

type infEntry struct {
	series   int32
	field    uint16
	value    string
	count    float64
	n        float64
	sum      float64
	min, max float64
	distinct float64
}

// Stats counts what happened to the events a job was given.
type Stats struct {
	// Events were accepted into a bucket.
	Events int64
	// Filtered events did not match the job's Query.
	Filtered int64
	// Late events were older than the earliest open bucket and dropped.
	Late int64
	// BadTime events had no usable time; NotNumeric events had a string in
	// a numeric field; BadValue events had a NaN or infinite number. All
	// three are dropped whole.
	BadTime, NotNumeric, BadValue int64
	// MissingField counts (event, detector) pairs skipped because the event
	// lacked the detector's field_name, by or partition field.
	MissingField int64
	// Buckets closed, and records emitted (record_score > 0).
	Buckets, Records int64
	// Refused counts new entities not modelled because the memory limit was
	// reached (Elastic's bucket_allocation_failures_count); Pruned counts
	// entities dropped after PruneWindow idle; InfluencersDropped counts
	// influencer values not tracked at the limit.
	Refused, Pruned, InfluencersDropped int64
}

// MemoryStatus is Elastic's memory_status.
type MemoryStatus uint8

const (
	// MemoryOK: accounted bytes below 60% of the limit.
	MemoryOK MemoryStatus = iota
	// MemorySoftLimit: above 60%; idle entities are pruned more eagerly.
	MemorySoftLimit
	// MemoryHardLimit: new entities have been refused since the last bucket.
	MemoryHardLimit
)

func (m MemoryStatus) String() string {
	switch m {
	case MemorySoftLimit:
		return "soft_limit"
	case MemoryHardLimit:
		return "hard_limit"
	}
	return "ok"
}

// Accounted sizes. Map entries are charged their key and value plus the
// swiss-table control byte and load-factor slack, rounded up.
const (
	seriesBytes   = int64(unsafe.Sizeof(series{}))
	accumBytes    = int64(unsafe.Sizeof(accum{}))
	indexEntry    = int64(8+4)*8/7 + 8
	partEntry     = int64(unsafe.Sizeof("")+unsafe.Sizeof(partRef{}))*8/7 + 16
	sideEntry     = int64(unsafe.Sizeof(infEntry{})) + int64(unsafe.Sizeof(infKey{})+4)*8/7 + 8
	distEntry     = 24
	distSetBytes  = int64(unsafe.Sizeof(distinctSet{})) + 64
	hllBytes      = 16<<10 + 256
	engineBytes   = 4096
	softFraction  = 0.6
	freqThreshold = 0.1
	freqMinBucket = 20
)

// New starts a job. The Job is validated (see Job.Validate) and copied.
func New(job Job) (*Engine, error) {
	c := job.withDefaults()
	if err := c.validate(); err != nil {
		return nil, err
	}
	e := &Engine{job: c}
	if err := e.init(); err != nil {
		return nil, err
	}
	return e, nil
}

func (e *Engine) init() error {
	c := &e.job
	q, err := c.Query.withTime(c.TimeField, c.TimeFormat) // the query's clauses on the time field test Event.Time
	if err != nil {
		return err
	}
	c.Query = q
	e.spanMs = c.BucketSpan.Milliseconds()
	e.latMs = c.Latency.Milliseconds()
	// Buckets open at once: ceil(latency/span) + 1.
	e.slots = (e.latMs+e.spanMs-1)/e.spanMs + 1
	if e.slots > 1<<12 {
		return configErr("latency %v is more than 4094 bucket spans", c.Latency)
	}
	e.dets = make([]detector, len(c.Detectors))
	for i, d := range c.Detectors {
		f := functions[d.Function]
		params, err := tsmodel.NewParams(int64(c.BucketSpan/time.Second), c.AdaptationRate, c.Sensitivity)
		if err != nil {
			return configErr("detector %d: %v", i, err)
		}
		dt := detector{cfg: d, f: f, side: tsmodel.Side(f.side), params: params}
		dt.self = make([]uint8, len(c.Influencers))
		for j, inf := range c.Influencers {
			switch inf {
			case d.ByFieldName:
				dt.self[j] = 1
			case d.PartitionFieldName:
				dt.self[j] = 2
			}
		}
		dt.exclFreq = d.ExcludeFrequent == "all" || d.ExcludeFrequent == "by"
		dt.side0 = true
		for _, v := range dt.self {
			if v == 0 {
				dt.side0 = false
			}
		}
		e.dets[i] = dt
	}
	e.index = newSeriesIndex(&e.series)
	e.parts = make(map[string]partRef)
	e.events = make([]int64, e.slots)
	e.side = make([]sideTable, e.slots)
	for i := range e.side {
		e.side[i].idx = make(map[infKey]int32)
		e.side[i].dist = make(map[[2]uint64]struct{})
	}
	if c.PruneWindow > 0 {
		e.pruneBuckets = (c.PruneWindow.Milliseconds() + e.spanMs - 1) / e.spanMs
	}
	e.effPrune = e.pruneBuckets
	if len(c.ModelPlotTerms) > 0 {
		e.plotTerms = map[string]bool{}
		for _, t := range c.ModelPlotTerms {
			e.plotTerms[t] = true
		}
	}
	e.bytes = engineBytes + int64(len(c.Detectors))*512
	e.initRules()
	return e.initExt()
}

// Job returns the job's configuration with its defaults filled in.
func (e *Engine) Job() Job {
	c := e.job
	c.Detectors = append([]Detector(nil), c.Detectors...)
	c.Influencers = append([]string(nil), c.Influencers...)
	return c
}

// Stats returns the counters of what happened to the events so far.
func (e *Engine) Stats() Stats { return e.stats }

// Fields lists every event field the job reads (time field excluded): the
// detectors' fields, the influencers, the summary count field and the
// query's fields, each once. Readers of raw documents extract just these.
func (e *Engine) Fields() []string {
	var out []string
	seen := map[string]bool{}
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, d := range e.job.Detectors {
		add(d.FieldName)
		add(d.ByFieldName)
		add(d.OverFieldName)
		add(d.PartitionFieldName)
	}
	for _, s := range e.job.Influencers {
		add(s)
	}
	add(e.job.SummaryCountField)
	if e.job.Query != nil {
		for _, f := range e.job.Query.Fields() {
			add(f)
		}
	}
	return out
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func (e *Engine) slot(b int64) int64 {
	s := b % e.slots
	if s < 0 {
		s += e.slots
	}
	return s
}

// EventError is returned by Observe for an event it refused; Kind is one
// of ErrTime, ErrLate, ErrNotNumeric, ErrBadValue.
type EventError = check.Error

func eventErr(kind error, format string, args ...any) error {
	return check.Errorf(pkg, kind, format, args...)
}

// maxJump is how far ahead of the latest event an event may be, in ms.
const maxJump = 366 * 24 * 3600 * 1000

// maxMetricDetectors bounds the per-event scratch of numeric values.
const maxScratch = 64

// Observe feeds one event. It returns the results of the buckets that the
// event's time closed (usually none), in time order. An event the job
// cannot use is counted in Stats, changes no state and is reported as an
// error with nil results: ErrTime (no time, or more than 366 days after the
// latest event, which would close that many days of empty buckets at
// once), ErrLate, ErrNotNumeric or ErrBadValue.
func (e *Engine) Observe(ev Event) ([]BucketResult, error) {
	t := ev.Time()
	if t.IsZero() {
		e.stats.BadTime++
		return nil, eventErr(ErrTime, "event has no timestamp")
	}
	ms := t.UnixMilli()
	if e.job.Query != nil && !e.job.Query.Match(ev) {
		e.stats.Filtered++
		return nil, nil
	}
	// Read and check every number first so that a bad event changes nothing.
	weight := 1.0
	if f := e.job.SummaryCountField; f != "" {
		v, ok := ev.Number(f)
		if !ok {
			if _, isText := ev.Text(f); isText {
				e.stats.NotNumeric++
				return nil, eventErr(ErrNotNumeric, "summary_count_field_name %q holds a string", f)
			}
			e.stats.NotNumeric++
			return nil, eventErr(ErrNotNumeric, "summary_count_field_name %q is missing", f)
		}
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			e.stats.BadValue++
			return nil, eventErr(ErrBadValue, "summary count %v is not a finite non-negative number", v)
		}
		weight = v
	}
	var nums [maxScratch]float64
	var have [maxScratch]bool
	for i := range e.dets {
		d := &e.dets[i]
		if !d.f.needsField || d.f.feat == featDistinct || d.f.feat == featInfo || i >= maxScratch {
			continue
		}
		v, ok := ev.Number(d.cfg.FieldName)
		if !ok {
			if _, isText := ev.Text(d.cfg.FieldName); isText {
				e.stats.NotNumeric++
				return nil, eventErr(ErrNotNumeric, "field %q of detector %d (%s) holds a string", d.cfg.FieldName, i, d.cfg.Function)
			}
			continue
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			e.stats.BadValue++
			return nil, eventErr(ErrBadValue, "field %q holds %v", d.cfg.FieldName, v)
		}
		nums[i], have[i] = v, true
	}
	b := floorDiv(ms, e.spanMs)
	if !e.started {
		e.started, e.open, e.latest = true, b, ms
	}
	if b < e.open && e.stats.Buckets == 0 && floorDiv(e.latest, e.spanMs)-b < e.slots && (b+1)*e.spanMs+e.latMs > e.latest {
		// Nothing closed yet: the job starts at the earliest bucket still
		// within Latency, whatever order the first events came in.
		e.open = b
	}
	if b < e.open {
		e.stats.Late++
		return nil, eventErr(ErrLate, "event at %s is before the earliest open bucket %s (latency %v)",
			t.UTC().Format(time.RFC3339Nano), time.UnixMilli(e.open*e.spanMs).UTC().Format(time.RFC3339), e.job.Latency)
	}
	if ms > e.latest && b-floorDiv(e.latest, e.spanMs) > maxJump/e.spanMs {
		// A typo'd year would close millions of empty buckets at once.
		e.stats.BadTime++
		return nil, eventErr(ErrTime, "event at %s is more than 366 days after the job's latest event %s",
			t.UTC().Format(time.RFC3339), time.UnixMilli(e.latest).UTC().Format(time.RFC3339))
	}
	var out []BucketResult
	if ms > e.latest {
		e.latest = ms
		for (e.open+1)*e.spanMs+e.latMs <= e.latest {
			out = append(out, e.closeBucket())
		}
	}
	if b >= e.open+e.slots { // cannot happen with slots = latency/span + 2; keep the ring sound
		for b >= e.open+e.slots {
			out = append(out, e.closeBucket())
		}
	}
	s := e.slot(b)
	e.events[s]++
	e.stats.Events++
	for i := range e.dets {
		e.apply(i, ev, b, s, weight, nums[min(i, maxScratch-1)], i < maxScratch && have[i])
	}
	return out, nil
}

func (e *Engine) apply(di int, ev Event, b, s int64, weight, num float64, hasNum bool) {
	if e.x.dets != nil && e.x.dets[di] != nil {
		e.applyExt(di, ev, b, s, weight, num, hasNum)
		return
	}
	d := &e.dets[di]
	var part, by, dval string
	if f := d.cfg.PartitionFieldName; f != "" {
		v, ok := ev.Text(f)
		if !ok && !d.cfg.UseNull {
			e.stats.MissingField++
			return
		}
		part = v
	}
	if f := d.cfg.ByFieldName; f != "" {
		v, ok := ev.Text(f)
		if !ok && !d.cfg.UseNull {
			e.stats.MissingField++
			return
		}
		by = v
	}
	switch d.f.feat {
	case featDistinct, featInfo:
		v, ok := ev.Text(d.cfg.FieldName)
		if !ok {
			e.stats.MissingField++
			return
		}
		dval = v
	case featCount, featNonZeroCount:
	default:
		if di >= maxScratch {
			v, ok := ev.Number(d.cfg.FieldName)
			if ok && !math.IsNaN(v) && !math.IsInf(v, 0) {
				num, hasNum = v, true
			}
		}
		if !hasNum {
			e.stats.MissingField++
			return
		}
	}
	idx, ok := e.index.get(part, by, uint16(di))
	if !ok {
		var admitted bool
		idx, admitted = e.newSeries(di, part, by, b)
		if !admitted {
			return
		}
	}
	sr := &e.series[idx]
	a := &e.acc[int64(idx)*e.slots+s]
	if a.count == 0 && a.n == 0 && a.dist == nil {
		if sr.present < math.MaxUint32 {
			sr.present++
		}
	}
	if b > sr.last {
		sr.last = b
	}
	if b < sr.first {
		sr.first = b
	}
	a.count += weight
	var h uint64
	switch d.f.feat {
	case featDistinct:
		h = hashString(dval)
		e.addDistinct(a, h)
	case featInfo:
		e.addInfo(a, dval)
	case featCount, featNonZeroCount:
	default:
		w := 1.0
		if d.f.feat == featMean || d.f.feat == featVarp || d.f.feat == featMedian {
			w = weight
		}
		if d.f.feat == featVarp || d.f.feat == featMedian {
			e.addMetric(a, d.f.feat, num, w)
		}
		if a.n == 0 {
			a.min, a.max = num, num
		} else {
			a.min = math.Min(a.min, num)
			a.max = math.Max(a.max, num)
		}
		a.n += w
		a.sum, a.cmp = neumaier(a.sum, a.cmp, w*num)
	}
	for j, inf := range e.job.Influencers {
		if d.self[j] != 0 {
			continue
		}
		v, ok := ev.Text(inf)
		if !ok {
			continue
		}
		e.addInfluence(idx, uint16(j), v, s, d.f.feat, weight, num, h)
	}
}

// neumaier adds x to the compensated sum (s, c); the total is s + c. It
// keeps sums of out-of-order events equal to ordered ones far beyond plain
// summation.
func neumaier(s, c, x float64) (float64, float64) {
	t := s + x
	if math.Abs(s) >= math.Abs(x) {
		c += (s - t) + x
	} else {
		c += (x - t) + s
	}
	return t, c
}

func (e *Engine) addDistinct(a *accum, h uint64) {
	if a.dist == nil {
		a.dist = &distinctSet{}
		e.bytes += distSetBytes
	}
	d := a.dist
	if d.hll != nil {
		d.hll.InsertHash(h)
		return
	}
	if d.exact == nil {
		d.exact = make(map[uint64]struct{}, 8)
	}
	if _, ok := d.exact[h]; ok {
		return
	}
	if len(d.exact) >= e.job.ExactDistinct {
		sk, _ := hyperloglog.NewSketch(14, true)
		for k := range d.exact {
			sk.InsertHash(k)
		}
		sk.InsertHash(h)
		e.bytes += hllBytes - int64(d.peak)*distEntry
		d.exact, d.hll, d.peak = nil, sk, 0
		return
	}
	d.exact[h] = struct{}{}
	// A cleared Go map keeps its size: charge the largest it has been.
	if len(d.exact) > d.peak {
		d.peak = len(d.exact)
		e.bytes += distEntry
	}
}

func (e *Engine) addInfluence(idx int32, field uint16, v string, s int64, feat feature, weight, num float64, dh uint64) {
	st := &e.side[s]
	h := hashString(v)
	k := infKey{series: idx, field: field, h: h}
	ei, ok := st.idx[k]
	if !ok {
		if e.bytes+sideEntry+int64(len(v)) > e.job.MemoryLimit {
			e.stats.InfluencersDropped++
			return
		}
		ei = int32(len(st.ents))
		st.ents = append(st.ents, infEntry{series: idx, field: field, value: strings.Clone(v)})
		st.idx[k] = ei
		e.bytes += sideEntry + int64(len(v))
	}
	en := &st.ents[ei]
	if en.value != v { // 64-bit hash collision: leave the value unattributed
		return
	}
	en.count += weight
	switch feat {
	case featCount, featNonZeroCount, featInfo:
	case featDistinct:
		dk := [2]uint64{uint64(ei), dh}
		if _, seen := st.dist[dk]; !seen {
			st.dist[dk] = struct{}{}
			en.distinct++
			e.bytes += distEntry
		}
	default:
		w := 1.0
		if feat == featMean || feat == featVarp || feat == featMedian {
			w = weight
		}
		if en.n == 0 {
			en.min, en.max = num, num
		} else {
			en.min, en.max = math.Min(en.min, num), math.Max(en.max, num)
		}
		en.n += w
		en.sum += w * num
	}
}

// newSeries creates the state of a new entity, unless the memory limit
// forbids it.
func (e *Engine) newSeries(di int, part, by string, b int64) (int32, bool) {
	_, partKnown := e.parts[part]
	cost := seriesExtra(part, by, partKnown)
	if e.dets[di].f.feat == featMetric {
		cost += metricSeriesBytes
	}
	var idx int32
	if n := len(e.free); n > 0 {
		if e.bytes+cost > e.job.MemoryLimit {
			return e.refuse()
		}
		idx = e.free[n-1]
		e.free = e.free[:n-1]
	} else {
		grow := int64(0)
		if len(e.series) == cap(e.series) {
			newCap := max(16, cap(e.series)+cap(e.series)/4)
			grow = int64(newCap-cap(e.series)) * (seriesBytes + e.slots*accumBytes)
			if e.bytes+cost+grow > e.job.MemoryLimit {
				return e.refuse()
			}
			ns := make([]series, len(e.series), newCap)
			copy(ns, e.series)
			e.series = ns
			na := make([]accum, len(e.acc), int64(newCap)*e.slots)
			copy(na, e.acc)
			e.acc = na
		} else if e.bytes+cost > e.job.MemoryLimit {
			return e.refuse()
		}
		e.bytes += grow
		idx = int32(len(e.series))
		e.series = e.series[:idx+1]
		e.acc = e.acc[:int64(idx+1)*e.slots]
	}
	// Share one copy of the partition string among its series.
	pv, ok := e.partString(part)
	if !ok {
		pv = strings.Clone(part)
	}
	r := e.parts[pv]
	r.s, r.n = pv, r.n+1
	e.parts[pv] = r
	e.series[idx] = series{part: pv, by: strings.Clone(by), det: uint16(di), alive: true, first: b, last: b}
	if e.dets[di].f.feat == featMetric {
		if e.minmax == nil {
			e.minmax = make(map[int32]*[2]tsmodel.Series)
		}
		e.minmax[idx] = new([2]tsmodel.Series)
	}
	e.index.put(idx)
	e.bytes += cost
	return idx, true
}

func seriesExtra(part, by string, partKnown bool) int64 {
	c := indexEntry + int64(len(by))
	if !partKnown {
		c += partEntry + int64(len(part))
	}
	return c
}

// partString returns the stored copy of a partition value.
func (e *Engine) partString(part string) (string, bool) {
	r, ok := e.parts[part]
	return r.s, ok
}

func (e *Engine) refuse() (int32, bool) {
	e.stats.Refused++
	e.status = MemoryHardLimit
	return -1, false
}

func (e *Engine) freeSeries(i int32) {
	sr := &e.series[i]
	e.index.del(i)
	r := e.parts[sr.part]
	r.n--
	last := r.n <= 0
	if last {
		delete(e.parts, sr.part)
	} else {
		e.parts[sr.part] = r
	}
	e.bytes -= seriesExtra(sr.part, sr.by, !last)
	if _, ok := e.minmax[i]; ok {
		e.bytes -= metricSeriesBytes
		delete(e.minmax, i)
	}
	for s := int64(0); s < e.slots; s++ {
		a := &e.acc[int64(i)*e.slots+s]
		e.releaseDistinct(a)
		e.releaseMetric(a)
		*a = accum{}
	}
	*sr = series{}
	e.free = append(e.free, i)
	e.stats.Pruned++
}

func (e *Engine) releaseDistinct(a *accum) {
	if a.dist == nil {
		return
	}
	if a.dist.hll != nil {
		e.bytes -= hllBytes
	}
	e.bytes -= int64(a.dist.peak)*distEntry + distSetBytes
	a.dist = nil
}

// hashString is a fixed 64-bit hash (8-byte words mixed by multiplication,
// then a splitmix64 finaliser): fixed, so that snapshots restore, and well
// mixed in every bit, as HyperLogLog needs.
func hashString(s string) uint64 {
	b := unsafe.Slice(unsafe.StringData(s), len(s))
	h := uint64(len(s))*0x9e3779b97f4a7c15 ^ 0x243f6a8885a308d3
	for len(b) >= 8 {
		h = (h ^ binary.LittleEndian.Uint64(b)) * 0xbf58476d1ce4e5b9
		h ^= h >> 29
		b = b[8:]
	}
	if r := len(b); r > 0 {
		var t uint64
		if len(s) >= 8 { // the last word, overlapping, shifted to the tail
			t = binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(s[len(s)-8:]), 8)) >> (8 * (8 - r))
		} else {
			for i := r - 1; i >= 0; i-- {
				t = t<<8 | uint64(b[i])
			}
		}
		h = (h ^ t) * 0x94d049bb133111eb
		h ^= h >> 32
	}
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return h
}

// PartitionHash is the fixed hash of a partition value that a distributed
// runner uses to give each worker a hash range of partitions: all state of
// a partition lives with its value, so ranges share nothing.
func PartitionHash(value string) uint64 { return hashString(value) }

// Flush closes every open bucket (the last one is usually partial) and
// returns their results. Events older than the flushed buckets are late
// afterwards.
func (e *Engine) Flush() ([]BucketResult, error) {
	if !e.started {
		return nil, nil
	}
	last := floorDiv(e.latest, e.spanMs)
	var out []BucketResult
	for e.open <= last {
		out = append(out, e.closeBucket())
	}
	return out, nil
}

func (e *Engine) String() string {
	return fmt.Sprintf("timeseries.Engine{job %q, %d series, %d bytes}", e.job.ID, len(e.series)-len(e.free), e.bytes)
}
