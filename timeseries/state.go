package timeseries

import (
	"math"
	"slices"
	"time"

	"github.com/axiomhq/hyperloglog"

	"github.com/vigil-ml/vigil/internal/check"
	"github.com/vigil-ml/vigil/internal/codec"
	"github.com/vigil-ml/vigil/internal/tsmodel"
)

const (
	snapMagic   = "VGTS"
	snapVersion = 2 // 2: varp, median and info_content bucket state
)

// MarshalBinary snapshots the job mid-stream: its configuration and every
// piece of state, so that UnmarshalBinary into any Engine (a zero one or one
// from New) continues bit-identically to a run that never stopped.
func (e *Engine) MarshalBinary() ([]byte, error) {
	if e.dets == nil {
		return nil, check.NotFitted(pkg)
	}
	w := codec.NewEncoder(snapMagic, snapVersion)
	c := &e.job
	w.String(c.ID)
	w.Int(int(c.BucketSpan))
	w.Int(len(c.Detectors))
	for _, d := range c.Detectors {
		for _, s := range []string{d.Function, d.FieldName, d.ByFieldName, d.OverFieldName, d.PartitionFieldName, d.ExcludeFrequent, d.Description} {
			w.String(s)
		}
		w.Bool(d.UseNull)
	}
	w.Int(len(c.Influencers))
	for _, s := range c.Influencers {
		w.String(s)
	}
	w.String(c.SummaryCountField)
	w.Int(int(c.Latency))
	w.Int(int(c.MemoryLimit))
	w.Int(int(c.PruneWindow))
	w.Float64(c.Sensitivity)
	w.Float64(c.AdaptationRate)
	w.String(c.TimeField)
	w.String(c.TimeFormat)
	if c.Query != nil {
		w.Bool(true)
		w.String(string(c.Query.src))
	} else {
		w.Bool(false)
	}
	w.Int(c.ExactDistinct)
	w.Bool(c.ModelPlot)
	w.Int(len(c.ModelPlotTerms))
	for _, t := range c.ModelPlotTerms {
		w.String(t)
	}
	appendRulesConfig(w, c)

	w.Bool(e.started)
	w.Int(int(e.open))
	w.Int(int(e.latest))
	st := &e.stats
	for _, v := range []int64{st.Events, st.Filtered, st.Late, st.BadTime, st.NotNumeric, st.BadValue, st.MissingField,
		st.Buckets, st.Records, st.Refused, st.Pruned, st.InfluencersDropped} {
		w.Int(int(v))
	}
	w.Int(int(e.effPrune))
	w.Int(int(e.bytes))
	w.Int(int(e.status))
	for _, n := range e.events {
		w.Int(int(n))
	}
	w.Int(len(e.series))
	w.Int(cap(e.series))
	var mb []byte
	for i := range e.series {
		sr := &e.series[i]
		w.Bool(sr.alive)
		if !sr.alive {
			continue
		}
		mb = sr.model.AppendBinary(mb[:0])
		w.String(string(mb))
		w.String(sr.part)
		w.String(sr.by)
		w.Int(int(sr.det))
		w.Int(int(sr.first))
		w.Int(int(sr.last))
		w.Int(int(sr.present))
		if mm := e.minmax[int32(i)]; mm != nil {
			for k := range mm {
				mb = mm[k].AppendBinary(mb[:0])
				w.String(string(mb))
			}
		}
		for s := int64(0); s < e.slots; s++ {
			a := &e.acc[int64(i)*e.slots+s]
			for _, f := range []float64{a.count, a.n, a.sum, a.cmp, a.min, a.max} {
				w.Float64(f)
			}
			switch {
			case a.dist == nil:
				w.Int(0)
			case a.dist.hll != nil:
				w.Int(2)
				hb, err := a.dist.hll.MarshalBinary()
				if err != nil {
					return nil, check.Errorf(pkg, ErrCorrupt, "distinct sketch: %v", err)
				}
				w.String(string(hb))
			default:
				w.Int(1)
				w.Int(a.dist.peak)
				keys := make([]uint64, 0, len(a.dist.exact))
				for k := range a.dist.exact {
					keys = append(keys, k)
				}
				slices.Sort(keys)
				w.Int(len(keys))
				for _, k := range keys {
					w.Uint64(k)
				}
			}
			marshalMetric(w, a.m)
		}
	}
	w.Int32s(e.free)
	for s := range e.side {
		t := &e.side[s]
		w.Int(len(t.ents))
		for _, en := range t.ents {
			w.Int(int(en.series))
			w.Int(int(en.field))
			w.String(en.value)
			for _, f := range []float64{en.count, en.n, en.sum, en.min, en.max, en.distinct} {
				w.Float64(f)
			}
		}
		keys := make([][2]uint64, 0, len(t.dist))
		for k := range t.dist {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, func(a, b [2]uint64) int {
			if a[0] != b[0] {
				return cmpU(a[0], b[0])
			}
			return cmpU(a[1], b[1])
		})
		w.Int(len(keys))
		for _, k := range keys {
			w.Uint64(k[0])
			w.Uint64(k[1])
		}
	}
	if err := e.marshalExt(w); err != nil {
		return nil, err
	}
	return w.Bytes(), nil
}

func cmpU(a, b uint64) int {
	if a < b {
		return -1
	}
	if a > b {
		return 1
	}
	return 0
}

// UnmarshalBinary restores a snapshot written by MarshalBinary, replacing
// the Engine's configuration and state. Corrupt or truncated data is an
// ErrCorrupt error and leaves the Engine unchanged; it never panics.
func (e *Engine) UnmarshalBinary(data []byte) (err error) {
	defer func() {
		if r := recover(); r != nil { // a sketch library rejecting hostile bytes by panicking
			err = check.Errorf(pkg, ErrCorrupt, "snapshot: %v", r)
		}
	}()
	d, _, err := codec.NewDecoder(pkg, snapMagic, snapVersion, data)
	if err != nil {
		return err
	}
	var c Job
	c.ID = d.String()
	c.BucketSpan = time.Duration(d.Int())
	nd := d.IntIn("detectors", 1, 1000)
	for i := 0; i < nd; i++ {
		var dt Detector
		dt.Function, dt.FieldName, dt.ByFieldName, dt.OverFieldName = d.String(), d.String(), d.String(), d.String()
		dt.PartitionFieldName, dt.ExcludeFrequent, dt.Description = d.String(), d.String(), d.String()
		dt.UseNull = d.Bool()
		c.Detectors = append(c.Detectors, dt)
	}
	ni := d.IntIn("influencers", 0, 255)
	for i := 0; i < ni; i++ {
		c.Influencers = append(c.Influencers, d.String())
	}
	c.SummaryCountField = d.String()
	c.Latency = time.Duration(d.Int())
	c.MemoryLimit = int64(d.Int())
	c.PruneWindow = time.Duration(d.Int())
	c.Sensitivity = d.Float64()
	c.AdaptationRate = d.Float64()
	c.TimeField = d.String()
	c.TimeFormat = d.String()
	if d.Bool() {
		src := d.String()
		if q, qerr := ParseQuery([]byte(src)); qerr != nil {
			d.Fail("query: %v", qerr)
		} else {
			c.Query = q
		}
	}
	c.ExactDistinct = d.Int()
	c.ModelPlot = d.Bool()
	nt := d.IntIn("model plot terms", 0, len(data))
	for i := 0; i < nt; i++ {
		c.ModelPlotTerms = append(c.ModelPlotTerms, d.String())
	}
	readRulesConfig(d, &c, len(data))
	if c.PruneWindow == 0 {
		return check.Errorf(pkg, ErrCorrupt, "snapshot: prune window 0")
	}
	if verr := c.validate(); verr != nil {
		return check.Errorf(pkg, ErrCorrupt, "snapshot holds an invalid job: %v", verr)
	}
	n := &Engine{job: c}
	if ierr := n.init(); ierr != nil {
		return check.Errorf(pkg, ErrCorrupt, "snapshot: %v", ierr)
	}
	n.started = d.Bool()
	n.open = int64(d.Int())
	n.latest = int64(d.Int())
	st := &n.stats
	for _, p := range []*int64{&st.Events, &st.Filtered, &st.Late, &st.BadTime, &st.NotNumeric, &st.BadValue, &st.MissingField,
		&st.Buckets, &st.Records, &st.Refused, &st.Pruned, &st.InfluencersDropped} {
		*p = int64(d.IntIn("counter", 0, math.MaxInt))
	}
	n.effPrune = int64(d.IntIn("prune window", 0, math.MaxInt32))
	n.bytes = int64(d.IntIn("model bytes", 0, math.MaxInt))
	n.status = MemoryStatus(d.IntIn("memory status", 0, 2))
	for s := range n.events {
		n.events[s] = int64(d.IntIn("bucket events", 0, math.MaxInt))
	}
	if n.started && (n.open > math.MaxInt64/4/n.spanMs || n.open < math.MinInt64/4/n.spanMs ||
		(n.open+1)*n.spanMs+n.latMs <= n.latest || n.open > floorDiv(n.latest, n.spanMs)+1) {
		// Observe keeps the earliest open bucket within Latency of the
		// latest event; Flush moves it one past the latest bucket.
		d.Fail("open bucket %d inconsistent with latest event %d", n.open, n.latest)
	}
	rem := len(data)
	ns := d.IntIn("series", 0, rem)
	cp := d.IntIn("series capacity", ns, max(ns, 16)+rem)
	// A hostile count must not make us allocate far beyond the input: the
	// arena and its accumulators may cost at most 1 KiB per input byte
	// (a snapshot spends at least one byte per series).
	if int64(cp)*(seriesBytes+n.slots*accumBytes) > 1024*int64(len(data))+1<<20 {
		return check.Errorf(pkg, ErrCorrupt, "snapshot: %d series of %d open buckets is more than %d bytes can hold", cp, n.slots, len(data))
	}
	n.series = make([]series, ns, cp)
	n.acc = make([]accum, int64(ns)*n.slots, int64(cp)*n.slots)
	for i := 0; i < ns; i++ {
		sr := &n.series[i]
		sr.alive = d.Bool()
		if !sr.alive {
			continue
		}
		mb := d.String()
		if len(mb) != tsmodel.EncodedSize {
			d.Fail("series %d model is %d bytes, want %d", i, len(mb), tsmodel.EncodedSize)
			break
		}
		if rest, merr := sr.model.DecodeBinary([]byte(mb)); merr != nil || len(rest) != 0 {
			d.Fail("series %d model: %v", i, merr)
			break
		}
		sr.part = d.String()
		sr.by = d.String()
		sr.det = uint16(d.IntIn("detector", 0, len(c.Detectors)-1))
		sr.first = int64(d.Int())
		sr.last = int64(d.Int())
		sr.present = uint32(d.IntIn("present", 0, int(min(uint64(math.MaxUint32), uint64(math.MaxInt)))))
		if functions[c.Detectors[sr.det].Function].feat == featMetric {
			mm := new([2]tsmodel.Series)
			if n.minmax == nil {
				n.minmax = make(map[int32]*[2]tsmodel.Series)
			}
			n.minmax[int32(i)] = mm
			for k := range mm {
				if rest, merr := mm[k].DecodeBinary([]byte(d.String())); merr != nil || len(rest) != 0 {
					d.Fail("series %d metric model %d: %v", i, k, merr)
				}
			}
		}
		if pr, ok := n.parts[sr.part]; ok {
			sr.part = pr.s
			pr.n++
			n.parts[sr.part] = pr
		} else {
			n.parts[sr.part] = partRef{s: sr.part, n: 1}
		}
		if _, dup := n.index.get(sr.part, sr.by, sr.det); dup {
			d.Fail("series %d repeats an entity", i)
			break
		}
		n.index.put(int32(i))
		for s := int64(0); s < n.slots; s++ {
			a := &n.acc[int64(i)*n.slots+s]
			a.count, a.n, a.sum, a.cmp, a.min, a.max = d.Float64(), d.Float64(), d.Float64(), d.Float64(), d.Float64(), d.Float64()
			switch d.IntIn("distinct kind", 0, 2) {
			case 1:
				a.dist = &distinctSet{peak: d.IntIn("distinct peak", 0, rem)}
				m := d.IntIn("distinct values", 0, min(a.dist.peak, rem/8))
				a.dist.exact = make(map[uint64]struct{}, m)
				for q := 0; q < m; q++ {
					a.dist.exact[d.Uint64()] = struct{}{}
				}
				if len(a.dist.exact) != m {
					d.Fail("series %d repeats a distinct value", i)
				}
			case 2:
				sk := &hyperloglog.Sketch{}
				if herr := sk.UnmarshalBinary([]byte(d.String())); herr != nil {
					d.Fail("series %d distinct sketch: %v", i, herr)
				}
				a.dist = &distinctSet{hll: sk}
			}
			a.m = unmarshalMetric(d, rem)
		}
	}
	n.free = d.Int32s()
	seenFree := make(map[int32]bool, len(n.free))
	for _, f := range n.free {
		if f < 0 || int(f) >= ns || n.series[f].alive || seenFree[f] {
			return check.Errorf(pkg, ErrCorrupt, "snapshot: bad free series %d", f)
		}
		seenFree[f] = true
	}
	if len(n.free) != ns-n.index.len() {
		return check.Errorf(pkg, ErrCorrupt, "snapshot: %d dead series, %d on the free list", ns-n.index.len(), len(n.free))
	}
	for s := range n.side {
		t := &n.side[s]
		m := d.IntIn("side entries", 0, rem)
		for q := 0; q < m; q++ {
			var en infEntry
			en.series = int32(d.IntIn("side series", 0, max(0, ns-1)))
			en.field = uint16(d.IntIn("side field", 0, max(0, len(c.Influencers)-1)))
			en.value = d.String()
			en.count, en.n, en.sum, en.min, en.max, en.distinct = d.Float64(), d.Float64(), d.Float64(), d.Float64(), d.Float64(), d.Float64()
			if ns == 0 || len(c.Influencers) == 0 {
				d.Fail("side entry without series or influencers")
				break
			}
			k := infKey{series: en.series, field: en.field, h: hashString(en.value)}
			if _, dup := t.idx[k]; dup {
				d.Fail("side entry repeats")
				break
			}
			t.idx[k] = int32(len(t.ents))
			t.ents = append(t.ents, en)
		}
		m = d.IntIn("side distinct", 0, rem/16)
		for q := 0; q < m; q++ {
			k := [2]uint64{d.Uint64(), d.Uint64()}
			if k[0] >= uint64(len(t.ents)) {
				d.Fail("side distinct entry %d out of range", k[0])
				break
			}
			t.dist[k] = struct{}{}
		}
	}
	n.unmarshalExt(d, rem)
	if derr := d.Err(); derr != nil {
		return derr
	}
	*e = *n
	e.index.series = &e.series
	return nil
}
