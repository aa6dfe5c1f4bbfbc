package timeseries

import (
	"bytes"
	"compress/flate"
	"math"
	"slices"
	"strings"
	"sync"
	"unsafe"

	"github.com/vigil-ml/vigil/internal/check"
	"github.com/vigil-ml/vigil/internal/codec"
	"github.com/vigil-ml/vigil/internal/tsmodel"
)

// Features of the varp, median and info_content families.
const (
	featVarp feature = 50 + iota
	featMedian
	featInfo
	featMetric // min, max and mean in one detector
)

// metricSubs are the features of a metric detector, in record order, with
// the side each is tested on (as the functions of the same name).
var metricSubs = [3]struct {
	name string
	feat feature
	side tsmodel.Side
}{{"mean", featMean, tsmodel.Side(twoSided)}, {"min", featMin, tsmodel.Side(lowSide)}, {"max", featMax, tsmodel.Side(highSide)}}

// nsub is the number of models a series of the detector has.
func (d *detector) nsub() int {
	if d.f.feat == featMetric {
		return 3
	}
	return 1
}

// sub returns feature k of the series' detector, its side and its model.
func (e *Engine) sub(i int32, d *detector, k int) (feature, tsmodel.Side, *tsmodel.Series) {
	sr := &e.series[i]
	if d.f.feat != featMetric {
		return d.f.feat, d.side, &sr.model
	}
	ms := metricSubs[k]
	if k == 0 {
		return ms.feat, ms.side, &sr.model
	}
	return ms.feat, ms.side, &e.minmax[i][k-1]
}

// metricSeriesBytes is what a metric series' min and max models add.
const metricSeriesBytes = int64(unsafe.Sizeof([2]tsmodel.Series{})) + 16

// validateMetric applies Elastic's restrictions on metric.
func (d *Detector) validateMetric(at, summaryField string) error {
	if d.Function != "metric" {
		return nil
	}
	if summaryField != "" {
		return configErr("%s: function %q cannot be used with summary_count_field_name", at, d.Function)
	}
	if d.OverFieldName != "" {
		return check.Errorf(pkg, ErrUnsupported, "%s: function %q with over_field_name is not supported by Vigil (use mean, min and max detectors over the population)", at, d.Function)
	}
	return nil
}

func init() {
	for _, p := range []string{"", "high_", "low_"} {
		sd := map[string]side{"": twoSided, "high_": highSide, "low_": lowSide}[p]
		functions[p+"varp"] = fn{featVarp, sd, true, true}
		functions[p+"median"] = fn{featMedian, sd, true, true}
		functions[p+"info_content"] = fn{featInfo, sd, true, true}
		delete(otherElasticFunctions, p+"varp")
		delete(otherElasticFunctions, p+"median")
		delete(otherElasticFunctions, p+"info_content")
	}
	functions["metric"] = fn{featMetric, twoSided, true, true}
	delete(otherElasticFunctions, "metric")
}

// Bounds of the per-series, per-bucket state of these functions.
const (
	// MedianExact is the number of values per series and bucket from which
	// median is exact; beyond it the values go to a log-bucketed quantile
	// sketch whose median is within MedianRelErr (relative) of the exact.
	MedianExact = 1024
	// MedianRelErr is the sketch's relative accuracy (gamma = (1+a)/(1-a)).
	MedianRelErr = 0.01
	// InfoMaxValues bounds the distinct strings info_content keeps per series
	// and bucket: beyond it the InfoMaxValues strings of smallest hash are
	// kept (a sample that does not depend on event order), and the
	// compressed length of the sample is scaled by the estimated number of
	// distinct strings over the sample size.
	InfoMaxValues = 1024
	// InfoMaxLen truncates each string to this many bytes before it is
	// stored and compressed.
	InfoMaxLen = 1024
	// infoLevel is the fixed deflate level: the value must not depend on
	// anything but the strings.
	infoLevel = flate.BestCompression

	metricAccBytes = 96
	sketchBinBytes = 24
)

var medianGammaLn = math.Log((1 + MedianRelErr) / (1 - MedianRelErr))

// metricAcc is the extra state of one series' open bucket for varp, median
// and info_content.
type metricAcc struct {
	sq, sqc float64 // Neumaier sum of w·x² (varp)
	vals    []float64
	wts     []float64
	sk      map[int32]float64 // log-bucket index (sign in the low bit) -> weight
	zero    float64           // sketch weight of exact zeros
	strs    map[uint64]string
	thr     uint64 // largest kept hash once strs is full
	full    bool
	thrOK   bool  // thr is the largest kept hash (not snapshotted: recomputed)
	bytes   int64 // accounted, refunded on reset
}

func (e *Engine) metricOf(a *accum) *metricAcc {
	if a.m == nil {
		a.m = &metricAcc{bytes: metricAccBytes}
		e.bytes += metricAccBytes
	}
	return a.m
}

func (e *Engine) releaseMetric(a *accum) {
	if a.m != nil {
		e.bytes -= a.m.bytes
		a.m = nil
	}
}

func (m *metricAcc) charge(e *Engine, n int64) {
	m.bytes += n
	e.bytes += n
}

// addMetric adds a number (weight w) to the state of featVarp or featMedian.
func (e *Engine) addMetric(a *accum, f feature, x, w float64) {
	m := e.metricOf(a)
	switch f {
	case featVarp:
		m.sq, m.sqc = neumaier(m.sq, m.sqc, w*x*x)
	case featMedian:
		// At the memory limit the values go to the (smaller) sketch early.
		if m.sk == nil && len(m.vals) < MedianExact && e.bytes+16 <= e.job.MemoryLimit {
			m.vals = append(m.vals, x)
			m.wts = append(m.wts, w)
			m.charge(e, 16)
			return
		}
		if m.sk == nil {
			m.sk = make(map[int32]float64)
			for i, v := range m.vals {
				m.sketchAdd(e, v, m.wts[i])
			}
			m.charge(e, -16*int64(len(m.vals)))
			m.vals, m.wts = nil, nil
		}
		m.sketchAdd(e, x, w)
	}
}

func (m *metricAcc) sketchAdd(e *Engine, x, w float64) {
	if x == 0 {
		m.zero += w
		return
	}
	k := int32(math.Ceil(math.Log(math.Abs(x))/medianGammaLn)) << 1
	if x < 0 {
		k |= 1
	}
	if _, ok := m.sk[k]; !ok {
		m.charge(e, sketchBinBytes)
	}
	m.sk[k] += w
}

// median of the bucket's values: the weighted lower median when exact (the
// smallest value with at least half the weight at or below it).
func (m *metricAcc) median() float64 {
	if m.sk == nil {
		idx := make([]int, len(m.vals))
		total := 0.0
		for i := range idx {
			idx[i] = i
			total += m.wts[i]
		}
		slices.SortFunc(idx, func(a, b int) int {
			if c := cmpFloat(m.vals[a], m.vals[b]); c != 0 {
				return c
			}
			return a - b
		})
		// Equal weights: the mean of the two middle values, as a median is
		// usually defined.
		if equalWeights(m.wts) {
			n := len(idx)
			if n%2 == 1 {
				return m.vals[idx[n/2]]
			}
			return (m.vals[idx[n/2-1]] + m.vals[idx[n/2]]) / 2
		}
		acc := 0.0
		for _, i := range idx {
			acc += m.wts[i]
			if acc >= total/2 {
				return m.vals[i]
			}
		}
		return m.vals[idx[len(idx)-1]]
	}
	type bin struct {
		v, w float64
	}
	bins := make([]bin, 0, len(m.sk)+1)
	total := m.zero
	for k, w := range m.sk {
		// The bin's representative value is within MedianRelErr of any
		// value in it.
		r := 2 * math.Exp(float64(k>>1)*medianGammaLn) / (1 + math.Exp(medianGammaLn))
		if k&1 == 1 {
			r = -r
		}
		bins = append(bins, bin{r, w})
		total += w
	}
	if m.zero > 0 {
		bins = append(bins, bin{0, m.zero})
	}
	slices.SortFunc(bins, func(a, b bin) int { return cmpFloat(a.v, b.v) })
	acc := 0.0
	for _, b := range bins {
		acc += b.w
		if acc >= total/2 {
			return b.v
		}
	}
	return bins[len(bins)-1].v
}

func equalWeights(w []float64) bool {
	for _, x := range w {
		if x != w[0] {
			return false
		}
	}
	return true
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// varp is the population variance of the bucket's values (weighted by the
// summary count, as mean).
func (a *accum) varp() float64 {
	if a.n <= 0 || a.m == nil {
		return 0
	}
	mean := (a.sum + a.cmp) / a.n
	v := (a.m.sq+a.m.sqc)/a.n - mean*mean
	// Cancellation can leave a tiny negative for constant values.
	if v < 0 || v < 1e-15*mean*mean {
		return 0
	}
	return v
}

// addInfo adds a string to the bucket's distinct strings.
func (e *Engine) addInfo(a *accum, s string) {
	if len(s) > InfoMaxLen {
		s = s[:InfoMaxLen]
	}
	m := e.metricOf(a)
	h := hashString(s)
	if m.strs == nil {
		m.strs = make(map[uint64]string, 8)
	}
	if _, ok := m.strs[h]; ok {
		return
	}
	// Over the cap, or at the job's memory limit, the sample stops growing
	// and keeps the smallest hashes seen: a subsample from now on.
	limited := len(m.strs) > 0 && e.bytes+int64(len(s))+32 > e.job.MemoryLimit
	if len(m.strs) >= InfoMaxValues || limited {
		m.full = true
		if !m.thrOK {
			m.maxHash()
		}
		if h >= m.thr {
			return
		}
		old := m.strs[m.thr]
		delete(m.strs, m.thr)
		m.charge(e, -int64(len(old))-32)
		m.strs[h] = strings.Clone(s)
		m.charge(e, int64(len(s))+32)
		m.maxHash()
		return
	}
	m.strs[h] = strings.Clone(s)
	m.charge(e, int64(len(s))+32)
	m.thrOK = false
	if len(m.strs) == InfoMaxValues {
		m.maxHash()
	}
}

func (m *metricAcc) maxHash() {
	m.thr = 0
	for k := range m.strs {
		m.thr = max(m.thr, k)
	}
	m.thrOK = true
}

// deflaters reuses the compressors: a flate.Writer holds about 1 MB of
// tables, too much to make per series and bucket.
var deflaters = sync.Pool{New: func() any {
	zw, _ := flate.NewWriter(nil, infoLevel)
	return zw
}}

// info is the deflate-compressed length in bytes of the bucket's distinct
// strings, sorted and joined by newlines (0 for an empty bucket).
func (m *metricAcc) info() float64 {
	if m == nil || len(m.strs) == 0 {
		return 0
	}
	vals := make([]string, 0, len(m.strs))
	for _, s := range m.strs {
		vals = append(vals, s)
	}
	slices.Sort(vals)
	var buf bytes.Buffer
	zw := deflaters.Get().(*flate.Writer)
	defer deflaters.Put(zw)
	zw.Reset(&buf)
	for i, s := range vals {
		if i > 0 {
			zw.Write([]byte{'\n'})
		}
		zw.Write([]byte(s))
	}
	zw.Close()
	n := float64(buf.Len())
	if m.full && len(m.strs) > 1 {
		if !m.thrOK {
			m.maxHash()
		}
		// k-minimum-values estimate of the distinct strings seen.
		est := float64(len(m.strs)-1) / (float64(m.thr) / math.MaxUint64)
		n *= math.Max(1, est/float64(len(m.strs)))
	}
	return n
}

func marshalMetric(w *codec.Encoder, m *metricAcc) {
	if m == nil {
		w.Int(0)
		return
	}
	w.Int(1)
	w.Float64(m.sq)
	w.Float64(m.sqc)
	w.Float64s(m.vals)
	w.Float64s(m.wts)
	w.Bool(m.sk != nil)
	if m.sk != nil {
		keys := make([]int32, 0, len(m.sk))
		for k := range m.sk {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		w.Int(len(keys))
		for _, k := range keys {
			w.Int(int(k))
			w.Float64(m.sk[k])
		}
	}
	w.Float64(m.zero)
	hs := make([]uint64, 0, len(m.strs))
	for h := range m.strs {
		hs = append(hs, h)
	}
	slices.Sort(hs)
	w.Int(len(hs))
	for _, h := range hs {
		w.String(m.strs[h])
	}
	w.Uint64(m.thr)
	w.Bool(m.full)
	w.Int(int(m.bytes))
}

func unmarshalMetric(d *codec.Decoder, rem int) *metricAcc {
	if d.IntIn("metric state", 0, 1) == 0 {
		return nil
	}
	m := &metricAcc{}
	m.sq, m.sqc = d.Float64(), d.Float64()
	m.vals, m.wts = d.Float64s(), d.Float64s()
	if len(m.vals) != len(m.wts) || len(m.vals) > MedianExact {
		d.Fail("median sample of %d values and %d weights", len(m.vals), len(m.wts))
		return m
	}
	if d.Bool() {
		n := d.IntIn("median bins", 0, rem/16)
		m.sk = make(map[int32]float64, n)
		for i := 0; i < n; i++ {
			k := d.IntIn("median bin", math.MinInt32, math.MaxInt32)
			m.sk[int32(k)] = d.Float64()
		}
	}
	m.zero = d.Float64()
	n := d.IntIn("info strings", 0, min(InfoMaxValues, rem/8))
	m.strs = make(map[uint64]string, n)
	for i := 0; i < n; i++ {
		s := d.String()
		m.strs[hashString(s)] = s
	}
	if len(m.strs) != n {
		d.Fail("info_content repeats a string")
	}
	m.thr = d.Uint64()
	m.full = d.Bool()
	m.bytes = int64(d.IntIn("metric bytes", 0, math.MaxInt32))
	return m
}
