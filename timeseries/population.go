package timeseries

import (
	"math"
	"sort"
	"time"

	"gonum.org/v1/gonum/mathext"
)

// Population analysis (over_field_name). Each (partition, by) attribute
// has one population model of the values its over-entities (people)
// produce in a bucket; a person's value is tested against it, and a
// person's probability combines the attributes it touched in the bucket.
//
// The model works on u = sign(x)·ln(1+|x|), where counts, sums and most
// security metrics are close to normal across a population, and scores a
// value with the larger of two tail probabilities: a normal one from the
// decayed, outlier-weighted mean and variance of u, and the empirical one
// from a decayed histogram of u (128 bins of width 0.25), each bin read as
// a normal of its width. The empirical tail keeps the model honest where
// the population is not normal (an office NAT with a hundred users among
// addresses with one is its own precedent, and so is a little more than
// it); the normal one extrapolates beyond anything seen. Only people present in a bucket
// are scored, as Elastic's population models; the model has no
// seasonality (a population's night is compared with its days through the
// histogram, which holds both).

const (
	popBins  = 128
	popLo    = -16.0
	popWidth = 0.25
	// Half-life of the population models in buckets, at AdaptationRate 1:
	// two weeks of 5-minute buckets.
	popHalfLifeDays = 14
)

type popModel struct {
	hist     [popBins]float32
	w        float64 // total histogram weight
	mean, m2 float64 // decayed weighted mean and variance of u
	sw       float64 // weight of mean/m2
	nonInt   bool    // a non-integer value was seen
	counts   bool    // event counts: Poisson spread floor
	buckets  int32
	last     int64 // last bucket learnt
}

func popU(x float64) float64 {
	if x < 0 {
		return -math.Log1p(-x)
	}
	return math.Log1p(x)
}

func popUInv(u float64) float64 {
	if u < 0 {
		return -math.Expm1(-u)
	}
	return math.Expm1(u)
}

func popBin(u float64) int {
	b := int(math.Floor((u - popLo) / popWidth))
	return min(max(b, 0), popBins-1)
}

func (m *popModel) warm() bool { return m.sw >= popMinWeight && m.buckets >= popMinBucket }

// sd is the standard deviation of u, floored: for counts and distinct
// counts at the Poisson spread of the mean (delta method: √μ/(1+μ)), so
// that the largest of a thousand people's counts is not scored as a
// surprise; for sums and metrics at 0.05.
func (m *popModel) sd() float64 {
	v := math.Sqrt(math.Max(m.m2, 0))
	floor := 0.05
	if m.counts && !m.nonInt {
		mu := math.Max(popUInv(m.mean), 0.5)
		floor = math.Max(floor, math.Sqrt(mu)/(1+mu))
	}
	return math.Max(v, floor)
}

// prob returns the probability of a value at least as extreme as x on the
// tested side.
func (m *popModel) prob(x float64, sd side) float64 {
	u := popU(x)
	z := (u - m.mean) / m.sd()
	var pn float64
	switch sd {
	case highSide:
		pn = 0.5 * math.Erfc(z/math.Sqrt2)
	case lowSide:
		pn = 0.5 * math.Erfc(-z/math.Sqrt2)
	default:
		pn = math.Erfc(math.Abs(z) / math.Sqrt2)
	}
	// The empirical tail, smoothed: each bin's mass spread as a normal of
	// the bin's width around its centre, so that a value just past the
	// largest seen is as unsurprising as its neighbours, and one far past
	// them falls off as a normal tail.
	he := popWidth * math.Sqrt(1+1.0/12)
	var above, below float64
	for b, h := range m.hist {
		if h == 0 {
			continue
		}
		z := (u - (popLo + (float64(b)+0.5)*popWidth)) / (he * math.Sqrt2)
		above += float64(h) * 0.5 * math.Erfc(z)
		below += float64(h) * 0.5 * math.Erfc(-z)
	}
	var pe float64
	switch sd {
	case highSide:
		pe = above / m.w
	case lowSide:
		pe = below / m.w
	default:
		pe = 2 * math.Min(above, below) / m.w
	}
	return math.Min(1, math.Max(pn, pe))
}

// typical returns the population's median value and 95% bounds.
func (m *popModel) typical() (typ, lo, hi float64) {
	s := m.sd()
	return popUInv(m.mean), popUInv(m.mean - 1.96*s), popUInv(m.mean + 1.96*s)
}

// age decays the model to bucket c.
func (m *popModel) age(c int64, hl float64) {
	if m.buckets == 0 || c <= m.last {
		return
	}
	f := math.Exp2(-float64(c-m.last) / hl)
	for i := range m.hist {
		m.hist[i] *= float32(f)
	}
	m.w *= f
	m.sw *= f
}

// learn adds a person's value with weight w (outlier-weighted).
func (m *popModel) learn(x, w float64) {
	u := popU(x)
	m.hist[popBin(u)] += float32(w)
	m.w += w
	if x != math.Trunc(x) {
		m.nonInt = true
	}
	if m.sw == 0 {
		m.mean, m.m2, m.sw = u, 0, w
		return
	}
	// Learn u clipped at 4 standard deviations (a Huber step), so a single
	// extreme person cannot inflate the spread.
	s := m.sd()
	uc := math.Max(m.mean-4*s, math.Min(m.mean+4*s, u))
	m.sw += w
	d := uc - m.mean
	m.mean += w / m.sw * d
	m.m2 += w / m.sw * (d*(uc-m.mean) - m.m2)
}

func (x *extDetector) popHalfLife(e *Engine) float64 {
	return math.Max(2, popHalfLifeDays*86400/float64(e.spanMs/1000)/e.job.AdaptationRate)
}

// closePop scores the bucket's people against their attributes' population
// models, then learns the bucket.
func (e *Engine) closePop(di int, x *extDetector, sl *xslot, c, t int64) {
	if len(sl.accs) == 0 {
		return
	}
	d := &e.dets[di]
	hl := x.popHalfLife(e)
	ord := x.order(sl)
	sc := make([]popScored, 0, len(ord))
	for _, i := range ord {
		xa := &sl.accs[i]
		v, has, _ := bucketValue(d.f.feat, &xa.a)
		if !has {
			continue
		}
		ak := xa.part + "\x00" + xa.by
		m := x.pop[ak]
		if m == nil {
			cost := popBytes + int64(2*len(ak))
			if e.bytes+cost > e.job.MemoryLimit {
				e.refuse()
				continue
			}
			m = &popModel{counts: d.f.feat == featCount || d.f.feat == featDistinct}
			x.pop[ak] = m
			e.bytes += cost
		}
		m.age(c, hl)
		p := 1.0
		if m.warm() {
			p = m.prob(v, x.side)
		}
		sc = append(sc, popScored{i, v, p, m})
	}
	if e.job.ModelPlot {
		e.popPlot(di, sl, sc)
	}
	// Learn after scoring every person, so people do not score each other
	// within a bucket.
	for _, s := range sc {
		if e.hasRules(di) && e.extSkipsUpdate(di, &sl.accs[s.i], s.v, func() float64 { t, _, _ := s.model.typical(); return t }, c) {
			continue // a skip_model_update rule (rules.go)
		}
		s.model.learn(s.v, outlierWeight(s.p))
	}
	for _, s := range sc {
		if s.model.last != c || s.model.buckets == 0 {
			s.model.buckets++
			s.model.last = c
		}
	}
	// Group per person (partition, over) in key order.
	sens := e.job.Sensitivity
	for lo := 0; lo < len(sc); {
		a0 := &sl.accs[sc[lo].i]
		hi := lo + 1
		for hi < len(sc) {
			a := &sl.accs[sc[hi].i]
			if a.part != a0.part || a.over != a0.over {
				break
			}
			hi++
		}
		if !x.over {
			hi = lo + 1
		}
		grp := sc[lo:hi]
		ps := make([]float64, len(grp))
		for k := range grp {
			if x.exclBy && e.frequent(int64(grp[k].model.buckets)) {
				grp[k].p = 1 // a frequent attribute is not reported
			}
			ps[k] = grp[k].p
		}
		p := math.Pow(combineAttributes(ps), sens)
		if e.frequentPerson(x, a0.part, a0.over, c) {
			p = 1
		}
		if p < scoreP0 {
			sort.SliceStable(grp, func(a, b int) bool { return grp[a].p < grp[b].p })
			top := grp[0]
			xa := &sl.accs[top.i]
			r := e.newRecord(di, xa, p, false)
			r.Actual = top.v
			r.Typical, r.Lower, r.Upper = top.model.typical()
			if x.over && d.cfg.ByFieldName != "" {
				for _, s := range grp[:min(len(grp), maxCauses)] {
					if s.p >= scoreP0 && len(r.Causes) > 0 {
						break
					}
					typ, _, _ := s.model.typical()
					r.Causes = append(r.Causes, Cause{ByFieldValue: sl.accs[s.i].by, Probability: s.p, Actual: s.v, Typical: typ})
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
}

// combineAttributes is a person's probability from its attributes'
// probabilities, as Elastic's population style (§3.8 of the reference):
// the geometric mean of the joint probability of the rare ones and the
// probability that the m most extreme of all n are as extreme (m ≤ 5).
func combineAttributes(ps []float64) float64 {
	if len(ps) == 0 {
		return 1
	}
	if len(ps) == 1 {
		return ps[0]
	}
	sorted := append([]float64(nil), ps...)
	sort.Float64s(sorted)
	var rareOnes []float64
	for _, p := range sorted {
		if p < scoreP0 {
			rareOnes = append(rareOnes, p)
		}
	}
	if len(rareOnes) == 0 {
		return sorted[0]
	}
	lj := logJoint(rareOnes)
	le := 0.0
	n := len(sorted)
	for m := 1; m <= min(5, n); m++ {
		le = math.Min(le, logMOfN(sorted[m-1], m, n))
	}
	return math.Exp(0.5*lj + 0.5*le)
}

// logJoint is the log of the joint probability of less likely samples:
// each p_i as a two-tailed normal z_i, then P(χ²_n ≥ Σz_i²).
func logJoint(ps []float64) float64 {
	s := 0.0
	for _, p := range ps {
		z := math.Sqrt2 * erfcInv(p)
		s += z * z
	}
	a, xx := float64(len(ps))/2, s/2
	q := mathext.GammaIncRegComp(a, xx)
	if q > 1e-300 {
		return math.Log(q)
	}
	// Asymptotic upper tail for large x: x^(a-1) e^-x / Γ(a).
	lg, _ := math.Lgamma(a)
	return (a-1)*math.Log(xx) - xx - lg
}

// logMOfN is the log probability that at least m of n uniform
// probabilities are ≤ p: the regularised incomplete beta I_p(m, n−m+1).
func logMOfN(p float64, m, n int) float64 {
	if p >= 1 {
		return 0
	}
	if p < 1e-12 {
		// I_p(m, n−m+1) ≈ C(n, m)·p^m for small p.
		lc, _ := math.Lgamma(float64(n + 1))
		l1, _ := math.Lgamma(float64(m + 1))
		l2, _ := math.Lgamma(float64(n - m + 1))
		return lc - l1 - l2 + float64(m)*math.Log(math.Max(p, 1e-300))
	}
	v := mathext.RegIncBeta(float64(m), float64(n-m+1), p)
	return math.Log(math.Max(v, 1e-300))
}

// erfcInv is the inverse of erfc, accurate for tiny arguments too (where
// math.Erfcinv, computed as Erfinv(1−x), runs out of precision): Newton on
// ln erfc below 1e-10.
func erfcInv(p float64) float64 {
	if p >= 1e-10 {
		return math.Erfcinv(p)
	}
	p = math.Max(p, 1e-300)
	lp := math.Log(p)
	y := math.Sqrt(-lp)
	for i := 0; i < 50; i++ {
		e := math.Erfc(y)
		if e == 0 {
			break
		}
		f := math.Log(e) - lp
		df := -2 / math.SqrtPi * math.Exp(-y*y) / e
		step := f / df
		y -= step
		if math.Abs(step) < 1e-12*y {
			break
		}
	}
	return y
}

type popScored struct {
	i     int32
	v, p  float64
	model *popModel
}

// popPlot adds, per attribute of the bucket, the population's median and
// 95% bounds and the largest value a person produced (model_plot).
func (e *Engine) popPlot(di int, sl *xslot, sc []popScored) {
	d := &e.dets[di]
	top := map[*popModel]int{}
	var order []*popModel
	for k, s := range sc {
		j, ok := top[s.model]
		if !ok {
			top[s.model] = k
			order = append(order, s.model)
		} else if s.v > sc[j].v {
			top[s.model] = k
		}
	}
	for _, m := range order {
		s := sc[top[m]]
		xa := &sl.accs[s.i]
		if len(e.plotTerms) > 0 && !e.plotTerms[xa.by] && !e.plotTerms[xa.part] {
			continue
		}
		typ, lo, up := m.typical()
		mp := ModelPlot{JobID: e.job.ID, Timestamp: time.UnixMilli(e.open * e.spanMs).UTC(), BucketSpan: e.spanMs / 1000,
			DetectorIndex: di, Function: d.cfg.Function, FieldName: d.cfg.FieldName,
			ByFieldName: d.cfg.ByFieldName, PartitionFieldName: d.cfg.PartitionFieldName,
			Actual: s.v, Median: typ, Lower: lo, Upper: up}
		if d.cfg.ByFieldName != "" {
			mp.ByFieldValue = xa.by
		}
		if d.cfg.PartitionFieldName != "" {
			mp.PartitionFieldValue = xa.part
		}
		e.plots = append(e.plots, mp)
	}
}
