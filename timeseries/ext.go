package timeseries

import (
	"cmp"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
	"unsafe"

	"github.com/vigil-ml/vigil/rare"
)

// The functions of issue 13 (population analysis over any allowed
// function, rare, freq_rare, time_of_day, time_of_week) run beside the
// per-series engine: each such detector keeps, per open bucket, one
// accumulator per (partition, by, over) key, and at the bucket's close
// scores the keys against its models (population, rarity or time-of-day)
// and groups them per over-entity (the person) as Elastic does.

// Features of the functions that run in the extension.
const (
	featRare feature = 100 + iota
	featFreqRare
	featTimeOfDay
	featTimeOfWeek
)

func init() {
	for name, f := range map[string]fn{
		"rare":         {featRare, highSide, false, true},
		"freq_rare":    {featFreqRare, highSide, false, true},
		"time_of_day":  {featTimeOfDay, twoSided, false, true},
		"time_of_week": {featTimeOfWeek, twoSided, false, true},
	} {
		functions[name] = f
		delete(comingFunctions, name)
	}
}

// extDetector is the state of one detector that runs in the extension.
type extDetector struct {
	feat  feature
	side  side
	over  bool
	loc   *time.Location
	slots []xslot              // per open bucket
	pop   map[string]*popModel // (partition, by) -> population model
	tod   map[string]*todModel // (partition, by) -> time model
	rm    *rare.Model          // rare and freq_rare
	comb  rare.Combiner        // a person's values (rare … over, freq_rare)
	// exclude_frequent: by values (attributes) or over values (people)
	// present in more than 10% of the job's buckets are not reported
	exclBy, exclOver bool
	people           map[string]*xperson // buckets per person, with exclOver
	rbytes           int64               // rare model bytes charged to the job
	key              []byte              // scratch
	self             []uint8             // influencer j is by (1), partition (2), over (3)
	ordTmp           []int32             // scratch
	attr             map[string]struct{} // scratch
	byPers           map[string][]int32  // scratch
	cause            []Cause             // scratch
	recs             []Record            // scratch
	_                [0]func()           // not comparable
}

// xslot holds one open bucket of an extension detector.
type xslot struct {
	idx  map[string]int32
	accs []xacc
	inf  map[xinfKey]int32 // (key, influencer field, value) -> index in its xacc.infl
}

// xacc is one (partition, by, over) key's events in one open bucket.
type xacc struct {
	key            string
	part, by, over string
	ph, bh         uint64 // hashes of (partition, over) and of by: the close order
	a              accum
	sin, cos       float64 // time_of_*: sum of the events' unit vectors
	infl           []xinf
}

func (xa *xacc) setOrder() {
	n1, n2 := len(xa.part), len(xa.part)+1+len(xa.by)
	// (partition, over) hashed from the key's parts without a new string
	xa.ph = hashString(xa.key[:n1]) ^ hashString(xa.key[n2+1:])*0x9e3779b97f4a7c15
	xa.bh = hashString(xa.by)
}

// xinf is an influencer value's share of an accumulator.
type xinf struct {
	field uint16
	value string
	count float64
}

// extState is the Engine's part for the extension detectors.
type extState struct {
	dets []*extDetector // nil for engine detectors
}

// Cause is one attribute (by value) of a population record: Elastic's
// causes. A record of an over-entity lists up to ten, most anomalous first.
type Cause struct {
	ByFieldValue string
	// Probability is the attribute's own probability for the entity.
	Probability     float64
	Actual, Typical float64
}

const (
	// accounted sizes: the structs, plus the map entries that index them
	// (key, value, control byte and load-factor slack)
	xaccBytes    = int64(unsafe.Sizeof(xacc{})) + int64(unsafe.Sizeof("")+4)*8/7 + 8
	xinfBytes    = int64(unsafe.Sizeof(xinf{})) + int64(unsafe.Sizeof(xinfKey{})+4)*8/7 + 8
	popBytes     = int64(unsafe.Sizeof(popModel{})) + int64(2*unsafe.Sizeof("")+8)*8/7 + 8
	maxCauses    = 10
	rareMinAge   = 20  // buckets before an entity's rarity counts in full (Elastic's ~20)
	popMinWeight = 20  // population samples before a population model scores
	popMinBucket = 4   // and buckets
	todDayBins   = 96  // 15-minute bins
	todWeekBins  = 168 // hourly bins
)

func isExt(d *Detector, f fn) bool {
	return d.OverFieldName != "" || f.feat >= featRare
}

// validateExt checks what the extension needs beyond Detector.validate.
func (d *Detector) validateExt(at string) error {
	f := functions[d.Function]
	if (f.feat == featRare || f.feat == featFreqRare) && d.ByFieldName == "" {
		return configErr("%s: function %q requires by_field_name", at, d.Function)
	}
	if f.feat == featFreqRare && d.OverFieldName == "" {
		return configErr("%s: function %q requires over_field_name", at, d.Function)
	}
	if d.TimeZone != "" {
		if f.feat != featTimeOfDay && f.feat != featTimeOfWeek {
			return configErr("%s.time_zone is only used by time_of_day and time_of_week", at)
		}
		if _, err := time.LoadLocation(d.TimeZone); err != nil {
			return configErr("%s.time_zone %q: %v", at, d.TimeZone, err)
		}
	}
	if (f.feat == featRare || f.feat == featFreqRare) && d.ExcludeFrequent != "" && d.ExcludeFrequent != "none" {
		return configErr("%s.exclude_frequent is not supported with function %q (as in Elastic)", at, d.Function)
	}
	return nil
}

func (e *Engine) initExt() error {
	c := &e.job
	e.x.dets = nil
	nrare := 0
	for _, d := range c.Detectors {
		if f := functions[d.Function]; f.feat == featRare || f.feat == featFreqRare {
			nrare++
		}
	}
	for i := range c.Detectors {
		d := &c.Detectors[i]
		f := functions[d.Function]
		if !isExt(d, f) {
			continue
		}
		if e.x.dets == nil {
			e.x.dets = make([]*extDetector, len(c.Detectors))
		}
		x := &extDetector{feat: f.feat, side: f.side, over: d.OverFieldName != ""}
		x.exclBy = d.ByFieldName != "" && (d.ExcludeFrequent == "all" || d.ExcludeFrequent == "by")
		x.exclOver = x.over && (d.ExcludeFrequent == "all" || d.ExcludeFrequent == "over")
		if x.exclOver {
			x.people = map[string]*xperson{}
		}
		x.slots = make([]xslot, e.slots)
		for s := range x.slots {
			x.slots[s].idx = map[string]int32{}
		}
		x.self = make([]uint8, len(c.Influencers))
		for j, inf := range c.Influencers {
			switch inf {
			case d.ByFieldName:
				x.self[j] = 1
			case d.PartitionFieldName:
				x.self[j] = 2
			case d.OverFieldName:
				x.self[j] = 3
			}
		}
		switch f.feat {
		case featRare, featFreqRare:
			lim := max(1<<20, c.MemoryLimit/int64(2*nrare))
			rm, err := rare.New(rare.Config{BucketSpan: c.BucketSpan, HalfLife: time.Duration(float64(rare.DefaultHalfLife) / c.AdaptationRate), MemoryLimit: lim})
			if err != nil {
				return configErr("detector %d: %v", i, err)
			}
			x.rm = rm
		case featTimeOfDay, featTimeOfWeek:
			tz := d.TimeZone
			if tz == "" {
				tz = c.TimeZone
			}
			loc, err := time.LoadLocation(tz)
			if err != nil {
				return configErr("detector %d time zone %q: %v", i, tz, err)
			}
			x.loc = loc
			x.tod = map[string]*todModel{}
		default:
			x.pop = map[string]*popModel{}
		}
		e.x.dets[i] = x
	}
	return nil
}

// applyExt adds an event to an extension detector's open bucket.
func (e *Engine) applyExt(di int, ev Event, b, s int64, weight, num float64, hasNum bool) {
	d := &e.dets[di]
	x := e.x.dets[di]
	var part, by, over, dval string
	get := func(f string, need bool) (string, bool) {
		if f == "" {
			return "", true
		}
		v, ok := ev.Text(f)
		if !ok && need && !d.cfg.UseNull {
			return "", false
		}
		return v, true
	}
	var ok bool
	if part, ok = get(d.cfg.PartitionFieldName, true); !ok {
		e.stats.MissingField++
		return
	}
	if by, ok = get(d.cfg.ByFieldName, true); !ok {
		e.stats.MissingField++
		return
	}
	if over, ok = get(d.cfg.OverFieldName, true); !ok {
		e.stats.MissingField++
		return
	}
	if (x.feat == featRare || x.feat == featFreqRare) && by == "" {
		e.stats.MissingField++ // rarity of the empty value means nothing
		return
	}
	switch d.f.feat {
	case featDistinct, featInfo:
		v, ok := ev.Text(d.cfg.FieldName)
		if !ok {
			e.stats.MissingField++
			return
		}
		dval = v
	case featCount, featRare, featFreqRare, featTimeOfDay, featTimeOfWeek:
	default:
		if !hasNum {
			v, ok := ev.Number(d.cfg.FieldName)
			if !ok || math.IsNaN(v) || math.IsInf(v, 0) {
				e.stats.MissingField++
				return
			}
			num = v
		}
	}
	x.key = append(append(append(append(append(x.key[:0], part...), 0), by...), 0), over...)
	sl := &x.slots[s]
	ai, found := sl.idx[string(x.key)]
	if !found {
		cost := xaccBytes + int64(2*len(x.key))
		if e.bytes+cost > e.job.MemoryLimit {
			e.refuse()
			return
		}
		k := string(x.key)
		n1 := len(part)
		n2 := n1 + 1 + len(by)
		sl.accs = append(sl.accs, xacc{key: k, part: k[:n1], by: k[n1+1 : n2], over: k[n2+1:]})
		sl.accs[len(sl.accs)-1].setOrder()
		ai = int32(len(sl.accs) - 1)
		sl.idx[k] = ai
		e.bytes += cost
	}
	xa := &sl.accs[ai]
	a := &xa.a
	a.count += weight
	switch d.f.feat {
	case featDistinct:
		e.addDistinct(a, hashString(dval))
	case featInfo:
		e.addInfo(a, dval)
	case featCount, featRare, featFreqRare:
	case featTimeOfDay, featTimeOfWeek:
		ang := x.angle(ev.Time())
		// Quantised to 2^-30 so that the sums are exact (below 2^23 events)
		// and do not depend on the events' order.
		xa.sin += math.Round(weight*math.Sin(ang)*(1<<30)) / (1 << 30)
		xa.cos += math.Round(weight*math.Cos(ang)*(1<<30)) / (1 << 30)
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
			a.min, a.max = math.Min(a.min, num), math.Max(a.max, num)
		}
		a.n += w
		a.sum, a.cmp = neumaier(a.sum, a.cmp, w*num)
	}
	for j, inf := range e.job.Influencers {
		if x.self[j] != 0 {
			continue
		}
		v, ok := ev.Text(inf)
		if !ok {
			continue
		}
		e.addXInf(sl, ai, uint16(j), v, weight)
	}
}

func (e *Engine) addXInf(sl *xslot, ai int32, field uint16, v string, w float64) {
	xa := &sl.accs[ai]
	k := xinfKey{acc: ai, field: field, h: hashString(v)}
	if i, ok := sl.inf[k]; ok {
		if xa.infl[i].value == v { // else a 64-bit collision: leave it unattributed
			xa.infl[i].count += w
		}
		return
	}
	if e.bytes+xinfBytes+int64(len(v)) > e.job.MemoryLimit {
		e.stats.InfluencersDropped++
		return
	}
	if sl.inf == nil {
		sl.inf = map[xinfKey]int32{}
	}
	sl.inf[k] = int32(len(xa.infl))
	xa.infl = append(xa.infl, xinf{field: field, value: strings.Clone(v), count: w})
	e.bytes += xinfBytes + int64(len(v))
}

type xinfKey struct {
	acc   int32
	field uint16
	h     uint64
}

// angle returns the event's local wall-clock time as an angle in [0, 2π):
// the day (time_of_day) or the week from Monday 00:00 (time_of_week).
func (x *extDetector) angle(t time.Time) float64 {
	return 2 * math.Pi * x.phase(t) / x.period()
}

func (x *extDetector) period() float64 {
	if x.feat == featTimeOfWeek {
		return 7 * 86400
	}
	return 86400
}

// phase is the local wall-clock seconds since midnight (or Monday 00:00).
// A daylight-saving switch moves the offset, not the wall clock, so a
// habit kept in local time stays where it was.
func (x *extDetector) phase(t time.Time) float64 {
	lt := t.In(x.loc)
	h, m, s := lt.Clock()
	sec := float64(h*3600+m*60+s) + float64(lt.Nanosecond())/1e9
	if x.feat == featTimeOfWeek {
		sec += float64((int(lt.Weekday())+6)%7) * 86400
	}
	return sec
}

// closeExt scores and learns the closing bucket c of every extension
// detector, appends the records to out and resets the slot.
func (e *Engine) closeExt(out *BucketResult, c, s, t int64) {
	if e.x.dets == nil {
		return
	}
	before := len(out.Records)
	for di, x := range e.x.dets {
		if x == nil {
			continue
		}
		sl := &x.slots[s]
		x.recs = x.recs[:0]
		if calRes, calUpd := e.calendarEffect(c * e.spanMs); calRes && calUpd {
			// A scheduled event: neither scored nor learnt (calendar.go).
		} else {
			switch x.feat {
			case featRare, featFreqRare:
				e.closeRare(di, x, sl, c)
			case featTimeOfDay, featTimeOfWeek:
				e.closeTime(di, x, sl, c, t)
			default:
				e.closePop(di, x, sl, c, t)
			}
		}
		x.recs = e.filterRecords(x.recs, c*e.spanMs) // rules and calendars (rules.go)
		for i := range x.recs {
			x.recs[i].Timestamp, x.recs[i].BucketSpan = out.Timestamp, out.BucketSpan
		}
		out.Records = append(out.Records, x.recs...)
		// Reset the slot.
		for i := range sl.accs {
			xa := &sl.accs[i]
			e.releaseDistinct(&xa.a)
			e.releaseMetric(&xa.a)
			e.bytes -= xaccBytes + int64(2*len(xa.key))
			for _, in := range xa.infl {
				e.bytes -= xinfBytes + int64(len(in.value))
			}
		}
		clear(sl.accs)
		sl.accs = sl.accs[:0]
		clear(sl.idx)
		clear(sl.inf)
		e.pruneExt(x, c)
	}
	if len(out.Records) > before {
		e.finishBucket(out)
	}
}

// finishBucket recomputes the bucket's score, influencer results and
// bucket influencers after the extension added records.
func (e *Engine) finishBucket(out *BucketResult) {
	sort.SliceStable(out.Records, func(a, b int) bool {
		ra, rb := &out.Records[a], &out.Records[b]
		if ra.DetectorIndex != rb.DetectorIndex {
			return ra.DetectorIndex < rb.DetectorIndex
		}
		if ra.PartitionFieldValue != rb.PartitionFieldValue {
			return ra.PartitionFieldValue < rb.PartitionFieldValue
		}
		if ra.OverFieldValue != rb.OverFieldValue {
			return ra.OverFieldValue < rb.OverFieldValue
		}
		return ra.ByFieldValue < rb.ByFieldValue
	})
	infl := map[[2]string]*InfluencerResult{}
	for i := range out.Influencers {
		ir := out.Influencers[i]
		infl[[2]string{ir.FieldName, ir.FieldValue}] = &ir
	}
	minP := 1.0
	out.AnomalyScore = 0
	for i := range out.Records {
		r := &out.Records[i]
		out.AnomalyScore = math.Max(out.AnomalyScore, r.RecordScore)
		minP = math.Min(minP, r.Probability)
		if r.infl == nil {
			continue // engine record: its influencer results are in already
		}
		for k, inf := range r.Influencers {
			for q, v := range inf.FieldValues {
				p := math.Pow(r.Probability, r.infl[k][q])
				key := [2]string{inf.FieldName, v}
				ir := infl[key]
				if ir == nil {
					ir = &InfluencerResult{JobID: e.job.ID, Timestamp: out.Timestamp, BucketSpan: out.BucketSpan,
						FieldName: inf.FieldName, FieldValue: v, Probability: 1}
					infl[key] = ir
				}
				if sc := r.scoreOf(p); sc > ir.InfluencerScore || (sc == ir.InfluencerScore && p < ir.Probability) {
					ir.Probability, ir.InfluencerScore, ir.InitialInfluencerScore = p, sc, sc
				}
			}
		}
		r.infl = nil
	}
	out.InitialAnomalyScore = out.AnomalyScore
	out.Influencers = out.Influencers[:0]
	for _, ir := range infl {
		out.Influencers = append(out.Influencers, *ir)
	}
	sort.Slice(out.Influencers, func(a, b int) bool {
		ia, ib := &out.Influencers[a], &out.Influencers[b]
		if ia.FieldName != ib.FieldName {
			return ia.FieldName < ib.FieldName
		}
		return ia.FieldValue < ib.FieldValue
	})
	out.BucketInfluencers = out.BucketInfluencers[:0]
	for _, field := range e.job.Influencers {
		bi := BucketInfluencer{InfluencerFieldName: field, Probability: 1}
		found := false
		for i := range out.Influencers {
			if ir := &out.Influencers[i]; ir.FieldName == field && (!found || ir.InfluencerScore > bi.AnomalyScore) {
				bi.Probability, bi.AnomalyScore, found = ir.Probability, ir.InfluencerScore, true
			}
		}
		if found {
			bi.InitialAnomalyScore = bi.AnomalyScore
			bi.RawAnomalyScore = rawScore(bi.Probability)
			out.BucketInfluencers = append(out.BucketInfluencers, bi)
		}
	}
	out.BucketInfluencers = append(out.BucketInfluencers, BucketInfluencer{
		InfluencerFieldName: "bucket_time", AnomalyScore: out.AnomalyScore, InitialAnomalyScore: out.AnomalyScore,
		RawAnomalyScore: rawScore(minP), Probability: minP,
	})
}

// order returns the slot's accumulators sorted by key, so that results do
// not depend on the events' arrival order.
func (x *extDetector) order(sl *xslot) []int32 {
	x.ordTmp = x.ordTmp[:0]
	for i := range sl.accs {
		x.ordTmp = append(x.ordTmp, int32(i))
	}
	// By the fixed hashes of (partition, over) and by, then the strings:
	// deterministic, and a person's keys are adjacent.
	slices.SortFunc(x.ordTmp, func(a, b int32) int {
		p, q := &sl.accs[a], &sl.accs[b]
		if c := cmp.Compare(p.ph, q.ph); c != 0 {
			return c
		}
		if c := cmp.Compare(p.part, q.part); c != 0 {
			return c
		}
		if c := cmp.Compare(p.over, q.over); c != 0 {
			return c
		}
		if c := cmp.Compare(p.bh, q.bh); c != 0 {
			return c
		}
		return cmp.Compare(p.by, q.by)
	})
	return x.ordTmp
}

// newRecord fills the fields every extension record shares.
func (e *Engine) newRecord(di int, xa *xacc, p float64, rareScore bool) Record {
	d := &e.dets[di]
	r := Record{JobID: e.job.ID, DetectorIndex: di, Function: d.cfg.Function, FieldName: d.cfg.FieldName,
		ByFieldName: d.cfg.ByFieldName, OverFieldName: d.cfg.OverFieldName, PartitionFieldName: d.cfg.PartitionFieldName,
		Probability: p, rareScale: rareScore}
	if d.cfg.ByFieldName != "" {
		r.ByFieldValue = xa.by
	}
	if d.cfg.OverFieldName != "" {
		r.OverFieldValue = xa.over
	}
	if d.cfg.PartitionFieldName != "" {
		r.PartitionFieldValue = xa.part
	}
	r.RecordScore = r.scoreOf(p)
	r.InitialRecordScore = r.RecordScore
	r.Severity = SeverityOf(r.RecordScore)
	return r
}

// scoreOf maps a probability of the record's detector to a score.
func (r *Record) scoreOf(p float64) float64 {
	if r.rareScale {
		return RarityScore(p)
	}
	return ProbabilityScore(p)
}

// Rarity score map: probabilities from 0.05 down to 1e-5 map log-linearly
// onto 0..100.
const rareP100 = 1e-5

// RarityScore maps the probability of a rare or freq_rare record to its
// 0-100 score:
//
//	score(p) = 100 · clamp(ln(0.05/p) / ln(0.05/1e-5), 0, 1)
//
// so p = 1e-2 scores 18.9, 1e-3 45.9, 1e-4 72.9, 4.7e-5 81.8 and p ≤ 1e-5
// scores 100. A rarity is a share of the entity's history, so it cannot be
// smaller than about one over the history's size: a value never seen in a
// month of 5-minute buckets, about 10^4 of them, has p near 1e-4. The count
// and metric map (ProbabilityScore, 100 at 1e-8) would cap such a novelty
// at a minor score; this map puts it where an analyst expects it, and is as
// fixed (never renormalised).
func RarityScore(p float64) float64 {
	if !(p < scoreP0) {
		return 0
	}
	if p <= rareP100 {
		return 100
	}
	s := 100 * math.Log(scoreP0/p) / math.Log(scoreP0/rareP100)
	return math.Round(s*1e4) / 1e4
}

// influencersOf fills the record's influencers from the keys grouped into
// it: the detector's own fields with influence 1, other fields by their
// share of the events (kept at share ≥ 0.4, Elastic's cutoff).
func (e *Engine) influencersOf(x *extDetector, r *Record, accs []*xacc) {
	for j, field := range e.job.Influencers {
		var vals []string
		var ws []float64
		switch x.self[j] {
		case 1:
			seen := map[string]bool{}
			for _, xa := range accs {
				if !seen[xa.by] {
					seen[xa.by] = true
					vals, ws = append(vals, xa.by), append(ws, 1)
				}
				if len(vals) >= maxCauses {
					break
				}
			}
		case 2:
			vals, ws = []string{accs[0].part}, []float64{1}
		case 3:
			vals, ws = []string{accs[0].over}, []float64{1}
		default:
			tot := 0.0
			by := map[string]float64{}
			for _, xa := range accs {
				tot += xa.a.count
				for _, in := range xa.infl {
					if in.field == uint16(j) {
						by[in.value] += in.count
					}
				}
			}
			for v, n := range by {
				if w := n / tot; w >= influenceCutoff {
					vals, ws = append(vals, v), append(ws, math.Min(1, w))
				}
			}
			sort.Sort(byWeight{vals, ws})
		}
		if len(vals) == 0 {
			continue
		}
		r.Influencers = append(r.Influencers, RecordInfluencer{FieldName: field, FieldValues: vals})
		r.infl = append(r.infl, ws)
	}
	if r.infl == nil {
		r.infl = [][]float64{}
	}
}

type byWeight struct {
	v []string
	w []float64
}

func (b byWeight) Len() int { return len(b.v) }
func (b byWeight) Less(i, j int) bool {
	if b.w[i] != b.w[j] {
		return b.w[i] > b.w[j]
	}
	return b.v[i] < b.v[j]
}
func (b byWeight) Swap(i, j int) { b.v[i], b.v[j] = b.v[j], b.v[i]; b.w[i], b.w[j] = b.w[j], b.w[i] }

// pruneExt drops models idle past the prune window (rare models bound
// themselves).
func (e *Engine) pruneExt(x *extDetector, c int64) {
	if e.effPrune <= 0 {
		return
	}
	for k, m := range x.pop {
		if c-m.last >= e.effPrune {
			delete(x.pop, k)
			e.bytes -= popBytes + int64(2*len(k))
			e.stats.Pruned++
		}
	}
	for k, p := range x.people {
		if c-p.last >= e.effPrune {
			delete(x.people, k)
			e.bytes -= xpersonBytes + int64(2*len(k))
		}
	}
	for k, m := range x.tod {
		if c-m.last >= e.effPrune {
			delete(x.tod, k)
			e.bytes -= m.bytes() + int64(2*len(k))
			e.stats.Pruned++
		}
	}
}

// outlierWeight is the learning weight of a value of probability p, as the
// per-series models': 1 at p ≥ 1e-3, 0.01 at p ≤ 1e-5, log-log between.
func outlierWeight(p float64) float64 {
	switch {
	case p >= 1e-3:
		return 1
	case p <= 1e-5:
		return 0.01
	}
	return math.Exp(math.Log(0.01) * math.Log(p/1e-3) / math.Log(1e-5/1e-3))
}

func (c *Cause) appendJSON(b []byte, r *Record) []byte {
	w := jw{b: append(b, '{'), first: true}
	w.str("function", r.Function)
	w.optStr("field_name", r.FieldName)
	w.str("by_field_name", r.ByFieldName)
	w.str("by_field_value", c.ByFieldValue)
	w.str("over_field_name", r.OverFieldName)
	w.str("over_field_value", r.OverFieldValue)
	if r.PartitionFieldName != "" {
		w.str("partition_field_name", r.PartitionFieldName)
		w.str("partition_field_value", r.PartitionFieldValue)
	}
	w.num("probability", c.Probability)
	w.key("actual")
	w.b = appendNum(append(w.b, '['), c.Actual)
	w.b = append(w.b, ']')
	w.key("typical")
	w.b = appendNum(append(w.b, '['), c.Typical)
	w.b = append(w.b, ']')
	return append(w.b, '}')
}

// xperson counts the buckets an over value was seen in (exclude_frequent).
type xperson struct {
	n    int64
	last int64
}

const xpersonBytes = int64(unsafe.Sizeof(xperson{})) + 8 + int64(unsafe.Sizeof("")+8)*8/7 + 8

// frequent reports whether something seen in n of the job's buckets is
// frequent (Elastic's exclude_frequent: more than 10% after 20 buckets).
func (e *Engine) frequent(n int64) bool {
	jb := e.stats.Buckets + 1
	return jb >= freqMinBucket && float64(n) > freqThreshold*float64(jb)
}

// frequentPerson counts the person's bucket c and reports whether it is
// frequent; it is called once per person and bucket.
func (e *Engine) frequentPerson(x *extDetector, part, over string, c int64) bool {
	if !x.exclOver {
		return false
	}
	k := part + "\x00" + over
	p := x.people[k]
	if p == nil {
		if e.bytes+xpersonBytes+int64(2*len(k)) > e.job.MemoryLimit {
			e.refuse()
			return false
		}
		p = &xperson{}
		x.people[k] = p
		e.bytes += xpersonBytes + int64(2*len(k))
	}
	if p.last != c || p.n == 0 {
		p.n++
		p.last = c
	}
	return e.frequent(p.n)
}

// extSeries is the number of models the extension detectors hold
// (population attributes, time-of entities, rare entities), counted in
// ModelSizeStats.Series.
func (e *Engine) extSeries() int64 {
	n := 0
	for _, x := range e.x.dets {
		if x == nil {
			continue
		}
		n += len(x.pop) + len(x.tod)
		if x.rm != nil {
			n += x.rm.Stats().Entities
		}
	}
	return int64(n)
}
