package timeseries

import (
	"math"
	"slices"

	"github.com/axiomhq/hyperloglog"

	"github.com/vigil-ml/vigil/internal/check"
	"github.com/vigil-ml/vigil/internal/codec"
)

// marshalExt appends the time zones and the extension detectors' state to
// a snapshot, in a fixed order (map keys sorted).
func (e *Engine) marshalExt(w *codec.Encoder) error {
	w.String(e.job.TimeZone)
	for _, d := range e.job.Detectors {
		w.String(d.TimeZone)
	}
	for _, x := range e.x.dets {
		if x == nil {
			continue
		}
		for s := range x.slots {
			sl := &x.slots[s]
			w.Int(len(sl.accs))
			for i := range sl.accs {
				xa := &sl.accs[i]
				w.String(xa.key)
				w.Int(len(xa.part))
				w.Int(len(xa.by))
				a := &xa.a
				for _, f := range []float64{a.count, a.n, a.sum, a.cmp, a.min, a.max, xa.sin, xa.cos} {
					w.Float64(f)
				}
				if err := marshalDistinct(w, a.dist); err != nil {
					return err
				}
				marshalMetric(w, a.m)
				w.Int(len(xa.infl))
				for _, in := range xa.infl {
					w.Int(int(in.field))
					w.String(in.value)
					w.Float64(in.count)
				}
			}
		}
		keys := make([]string, 0, len(x.pop))
		for k := range x.pop {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		w.Int(len(keys))
		for _, k := range keys {
			m := x.pop[k]
			w.String(k)
			for _, v := range m.hist {
				w.Float64(float64(v))
			}
			for _, f := range []float64{m.w, m.mean, m.m2, m.sw} {
				w.Float64(f)
			}
			w.Bool(m.nonInt)
			w.Bool(m.counts)
			w.Int(int(m.buckets))
			w.Int(int(m.last))
		}
		keys = keys[:0]
		for k := range x.tod {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		w.Int(len(keys))
		for _, k := range keys {
			m := x.tod[k]
			w.String(k)
			w.Int(len(m.bins))
			for _, v := range m.bins {
				w.Float64(float64(v))
			}
			w.Float64(m.w)
			w.Int(int(m.n))
			w.Int(int(m.first))
			w.Int(int(m.last))
		}
		keys = keys[:0]
		for k := range x.people {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		w.Int(len(keys))
		for _, k := range keys {
			w.String(k)
			w.Int(int(x.people[k].n))
			w.Int(int(x.people[k].last))
		}
		if x.rm != nil {
			b, err := x.rm.MarshalBinary()
			if err != nil {
				return check.Errorf(pkg, ErrCorrupt, "rare model: %v", err)
			}
			w.String(string(b))
			w.Int(int(x.rbytes))
		}
	}
	return nil
}

func marshalDistinct(w *codec.Encoder, d *distinctSet) error {
	switch {
	case d == nil:
		w.Int(0)
	case d.hll != nil:
		w.Int(2)
		hb, err := d.hll.MarshalBinary()
		if err != nil {
			return check.Errorf(pkg, ErrCorrupt, "distinct sketch: %v", err)
		}
		w.String(string(hb))
	default:
		w.Int(1)
		w.Int(d.peak)
		keys := make([]uint64, 0, len(d.exact))
		for k := range d.exact {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		w.Int(len(keys))
		for _, k := range keys {
			w.Uint64(k)
		}
	}
	return nil
}

func unmarshalDistinct(d *codec.Decoder, rem int) *distinctSet {
	switch d.IntIn("distinct kind", 0, 2) {
	case 1:
		ds := &distinctSet{peak: d.IntIn("distinct peak", 0, rem)}
		m := d.IntIn("distinct values", 0, min(ds.peak, rem/8))
		ds.exact = make(map[uint64]struct{}, m)
		for q := 0; q < m; q++ {
			ds.exact[d.Uint64()] = struct{}{}
		}
		if len(ds.exact) != m {
			d.Fail("repeated distinct value")
		}
		return ds
	case 2:
		sk := &hyperloglog.Sketch{}
		if herr := sk.UnmarshalBinary([]byte(d.String())); herr != nil {
			d.Fail("distinct sketch: %v", herr)
		}
		return &distinctSet{hll: sk}
	}
	return nil
}

// unmarshalExt reads what marshalExt wrote into n, a fresh Engine. It
// must not call d.Err, which also reports the bytes not read yet.
func (n *Engine) unmarshalExt(d *codec.Decoder, rem int) {
	n.job.TimeZone = d.String()
	for i := range n.job.Detectors {
		n.job.Detectors[i].TimeZone = d.String()
	}
	if err := n.job.validate(); err != nil {
		d.Fail("snapshot holds an invalid job: %v", err)
		return
	}
	if err := n.initExt(); err != nil {
		d.Fail("%v", err)
		return
	}
	for _, x := range n.x.dets {
		if x == nil {
			continue
		}
		for s := range x.slots {
			sl := &x.slots[s]
			na := d.IntIn("keys", 0, rem)
			for i := 0; i < na; i++ {
				k := d.String()
				n1 := d.IntIn("part length", 0, len(k))
				n2 := d.IntIn("by length", 0, len(k))
				if n1+n2+2 > len(k) || k[n1] != 0 || k[n1+1+n2] != 0 {
					d.Fail("bad key")
					return
				}
				xa := xacc{key: k, part: k[:n1], by: k[n1+1 : n1+1+n2], over: k[n1+2+n2:]}
				xa.setOrder()
				a := &xa.a
				a.count, a.n, a.sum, a.cmp, a.min, a.max = d.Float64(), d.Float64(), d.Float64(), d.Float64(), d.Float64(), d.Float64()
				xa.sin, xa.cos = d.Float64(), d.Float64()
				a.dist = unmarshalDistinct(d, rem)
				a.m = unmarshalMetric(d, rem)
				ni := d.IntIn("influencer values", 0, rem/16)
				ai := int32(len(sl.accs))
				for q := 0; q < ni; q++ {
					f := d.IntIn("influencer field", 0, max(0, len(n.job.Influencers)-1))
					in := xinf{field: uint16(f), value: d.String(), count: d.Float64()}
					k := xinfKey{acc: ai, field: in.field, h: hashString(in.value)}
					if sl.inf == nil {
						sl.inf = map[xinfKey]int32{}
					}
					if _, dup := sl.inf[k]; dup || len(n.job.Influencers) == 0 {
						d.Fail("repeated influencer value")
						return
					}
					sl.inf[k] = int32(len(xa.infl))
					xa.infl = append(xa.infl, in)
				}
				if _, dup := sl.idx[k]; dup {
					d.Fail("repeated key")
					return
				}
				sl.idx[k] = int32(len(sl.accs))
				sl.accs = append(sl.accs, xa)
			}
		}
		np := d.IntIn("population models", 0, rem)
		for i := 0; i < np; i++ {
			k := d.String()
			m := &popModel{}
			for b := range m.hist {
				m.hist[b] = float32(d.Float64())
			}
			m.w, m.mean, m.m2, m.sw = d.Float64(), d.Float64(), d.Float64(), d.Float64()
			m.nonInt = d.Bool()
			m.counts = d.Bool()
			m.buckets = int32(d.IntIn("buckets", 0, math.MaxInt32))
			m.last = int64(d.Int())
			x.pop[k] = m
		}
		nt := d.IntIn("time models", 0, rem)
		for i := 0; i < nt; i++ {
			k := d.String()
			nb := todDayBins
			if x.feat == featTimeOfWeek {
				nb = todWeekBins
			}
			if d.IntIn("bins", nb, nb) != nb {
				return
			}
			m := &todModel{bins: make([]float32, nb)}
			for b := range m.bins {
				m.bins[b] = float32(d.Float64())
			}
			m.w = d.Float64()
			m.n = int32(d.IntIn("observations", 0, math.MaxInt32))
			m.first, m.last = int64(d.Int()), int64(d.Int())
			x.tod[k] = m
		}
		npp := d.IntIn("people", 0, rem)
		if npp > 0 && x.people == nil {
			d.Fail("people counts without exclude_frequent")
			return
		}
		for i := 0; i < npp; i++ {
			k := d.String()
			x.people[k] = &xperson{n: int64(d.IntIn("person buckets", 0, math.MaxInt)), last: int64(d.Int())}
		}
		if x.rm != nil {
			b := d.String()
			if err := x.rm.UnmarshalBinary([]byte(b)); err != nil {
				d.Fail("rare model: %v", err)
				return
			}
			x.rbytes = int64(d.IntIn("rare bytes", 0, math.MaxInt))
		}
	}
}
