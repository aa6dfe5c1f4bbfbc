package timeseries

import (
	"math"
	"unsafe"
)

// time_of_day and time_of_week model when an entity acts, on the circle:
// the day (or the week from Monday 00:00) is an angle, so 23:55 and 00:05
// are ten minutes apart, not a day (Elastic's seconds since midnight put
// them at the two ends of a line). Times are local wall-clock times in the
// detector's time zone (Detector.TimeZone, else Job.TimeZone, else UTC), so
// a daylight-saving switch does not move a habit kept in local time.
//
// Each bucket, an entity's events give one observation: their circular
// mean time. The model is a decayed histogram of these times (96 bins of
// 15 minutes for the day, 168 of an hour for the week), read as a mixture
// of normals centred on the bins with bandwidth h (30 minutes for the day,
// 90 for the week, at least half the bucket span). A time's probability is
// the mixture's probability of a time at least as far from its own centre:
//
//	P(x) = Σ_b w_b · erfc(d(x, c_b) / (h·√2)) / Σ_b w_b
//
// with d the circular distance, which is 1 inside a habit and falls as a
// normal tail away from every time seen. Updates are outlier-weighted, so
// a new habit is learnt over days, not at its first occurrence. A model
// scores once it has 10 observations spanning a day (a week for
// time_of_week). Records give actual and typical (the centre of the bin
// that explains the time best) in seconds since local midnight, or since
// Monday 00:00 local for time_of_week (Elastic counts from the epoch's
// Thursday, in UTC), and the typical time ± 1.96 h as bounds.

type todModel struct {
	bins  []float32
	w     float64
	n     int32 // observations learnt
	first int64 // first bucket
	last  int64 // last bucket learnt
}

func (m *todModel) bytes() int64 {
	return int64(len(m.bins))*4 + int64(unsafe.Sizeof(todModel{})) + int64(2*unsafe.Sizeof("")+8)*8/7 + 8
}

// bandwidth in radians.
func (x *extDetector) bandwidth(spanSec float64) float64 {
	h := 1800.0
	if x.feat == featTimeOfWeek {
		h = 5400
	}
	h = math.Max(h, spanSec/2)
	return 2 * math.Pi * h / x.period()
}

func circDist(a, b float64) float64 {
	d := math.Mod(math.Abs(a-b), 2*math.Pi)
	return math.Min(d, 2*math.Pi-d)
}

func (m *todModel) centre(b int) float64 {
	return 2 * math.Pi * (float64(b) + 0.5) / float64(len(m.bins))
}

// prob returns P(x) and the typical time (the centre of the bin that
// explains x best), as an angle.
func (m *todModel) prob(ang, h float64) (p, typ float64) {
	binw := 2 * math.Pi / float64(len(m.bins))
	he := math.Sqrt(h*h + binw*binw/12)
	best, found := 0.0, false
	for b, w := range m.bins {
		if w == 0 {
			continue
		}
		d := circDist(ang, m.centre(b))
		p += float64(w) * math.Erfc(d/(he*math.Sqrt2))
		if l := math.Log(float64(w)) - d*d/(2*he*he); !found || l > best {
			best, typ, found = l, m.centre(b), true
		}
	}
	if m.w > 0 {
		p /= m.w
	}
	return math.Min(1, p), typ
}

func (m *todModel) warm(x *extDetector, spanMs int64) bool {
	span := int64(86400000)
	if x.feat == featTimeOfWeek {
		span *= 7
	}
	return m.n >= 10 && (m.last-m.first+1)*spanMs >= span
}

func (m *todModel) age(c int64, hl float64) {
	if m.n == 0 || c <= m.last {
		return
	}
	f := math.Exp2(-float64(c-m.last) / hl)
	for i := range m.bins {
		m.bins[i] *= float32(f)
	}
	m.w *= f
}

func (m *todModel) learn(ang, w float64, c int64) {
	b := int(ang / (2 * math.Pi) * float64(len(m.bins)))
	b = min(max(b, 0), len(m.bins)-1)
	m.bins[b] += float32(w)
	m.w += w
	if m.n == 0 {
		m.first = c
	}
	m.n++
	m.last = c
}

// closeTime scores each key's bucket time against its (partition, by)
// model (the person's own without over, the population's with over), then
// learns it.
func (e *Engine) closeTime(di int, x *extDetector, sl *xslot, c, t int64) {
	if len(sl.accs) == 0 {
		return
	}
	hl := math.Max(2, 30*86400/float64(e.spanMs/1000)/e.job.AdaptationRate)
	h := x.bandwidth(float64(e.spanMs / 1000))
	nb := todDayBins
	if x.feat == featTimeOfWeek {
		nb = todWeekBins
	}
	ord := x.order(sl)
	type scored struct {
		i      int32
		ang, p float64
		typ    float64
		m      *todModel
	}
	sc := make([]scored, 0, len(ord))
	for _, i := range ord {
		xa := &sl.accs[i]
		if xa.sin == 0 && xa.cos == 0 {
			continue
		}
		ang := math.Atan2(xa.sin, xa.cos)
		if ang < 0 {
			ang += 2 * math.Pi
		}
		ak := xa.part + "\x00" + xa.by
		m := x.tod[ak]
		if m == nil {
			m = &todModel{bins: make([]float32, nb)}
			cost := m.bytes() + int64(2*len(ak))
			if e.bytes+cost > e.job.MemoryLimit {
				e.refuse()
				continue
			}
			x.tod[ak] = m
			e.bytes += cost
		}
		m.age(c, hl)
		p, typ := 1.0, ang
		if m.warm(x, e.spanMs) {
			p, typ = m.prob(ang, h)
		}
		sc = append(sc, scored{i, ang, p, typ, m})
	}
	sens := e.job.Sensitivity
	per := x.period()
	toSec := func(a float64) float64 { return math.Round(a / (2 * math.Pi) * per) }
	for _, s := range sc {
		if e.hasRules(di) && e.extSkipsUpdate(di, &sl.accs[s.i], toSec(s.ang), func() float64 { return toSec(s.typ) }, c) {
			continue // a skip_model_update rule (rules.go)
		}
		s.m.learn(s.ang, outlierWeight(s.p), c)
	}
	for lo := 0; lo < len(sc); {
		a0 := &sl.accs[sc[lo].i]
		hi := lo + 1
		for x.over && hi < len(sc) {
			a := &sl.accs[sc[hi].i]
			if a.part != a0.part || a.over != a0.over {
				break
			}
			hi++
		}
		grp := sc[lo:hi]
		ps := make([]float64, len(grp))
		best := 0
		for k := range grp {
			if x.exclBy && e.frequent(int64(grp[k].m.n)) {
				grp[k].p = 1 // a frequent by value is not reported
			}
			ps[k] = grp[k].p
			if grp[k].p < grp[best].p {
				best = k
			}
		}
		p := math.Pow(combineAttributes(ps), sens)
		if e.frequentPerson(x, a0.part, a0.over, c) {
			p = 1
		}
		if p < scoreP0 {
			top := grp[best]
			r := e.newRecord(di, &sl.accs[top.i], p, false)
			r.Actual, r.Typical = toSec(top.ang), toSec(top.typ)
			r.Lower, r.Upper = toSec(math.Mod(top.typ-1.96*h+2*math.Pi, 2*math.Pi)), toSec(math.Mod(top.typ+1.96*h, 2*math.Pi))
			if x.over && e.dets[di].cfg.ByFieldName != "" {
				for _, s := range grp {
					if s.p < scoreP0 && len(r.Causes) < maxCauses {
						r.Causes = append(r.Causes, Cause{ByFieldValue: sl.accs[s.i].by, Probability: s.p, Actual: toSec(s.ang), Typical: toSec(s.typ)})
					}
				}
			}
			accs := make([]*xacc, len(grp))
			for k, s := range grp {
				accs[k] = &sl.accs[s.i]
			}
			e.influencersOf(x, &r, accs)
			x.recs = append(x.recs, r)
		}
		lo = hi
	}
	_ = t
}
