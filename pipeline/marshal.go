package pipeline

import (
	"math"

	"github.com/vigil-ml/vigil/internal/codec"
	"github.com/vigil-ml/vigil/score"
)

// The blob: magic "VPIP", version, then
//
//	features d, feature names (count 0 or d, then each)
//	quantile (NaN when set by contamination), contamination
//	parts m, and for each: kind tag, part version, name, normalised
//	    reference median, the detector's own blob
//	the combiner's blob, the threshold's blob
//	probes: count, their rows (count·d values), each part's raw score of each
//	    probe (count·m) and the combined score of each (count)
//
// and the CRC-32C of it all. Every part carries its kind and version, so a
// new detector kind is a new tag, not a new format.
const (
	magic   = "VPIP"
	version = 1
)

// MarshalBinary encodes the whole pipeline in one versioned, checksummed
// blob.
func (p *Pipeline) MarshalBinary() ([]byte, error) {
	if err := p.fitted(); err != nil {
		return nil, err
	}
	e := codec.NewEncoder(magic, version)
	e.Int(p.d)
	e.Int(len(p.names))
	for _, s := range p.names {
		e.String(s)
	}
	e.Float64(p.quantile)
	e.Float64(p.contam)
	e.Int(len(p.parts))
	for _, pt := range p.parts {
		mb, ok := pt.det.(marshaler)
		if !ok {
			return nil, errorf(ErrConfig, "detector %s (%s) cannot be persisted: it has no MarshalBinary", pt.name, pt.kind.tag)
		}
		b, err := mb.MarshalBinary()
		if err != nil {
			return nil, err
		}
		e.String(pt.kind.tag)
		e.Int(pt.kind.version)
		e.String(pt.name)
		e.Float64(pt.median)
		e.String(string(b))
	}
	cb, err := p.comb.MarshalBinary()
	if err != nil {
		return nil, err
	}
	tb, err := p.thr.MarshalBinary()
	if err != nil {
		return nil, err
	}
	e.String(string(cb))
	e.String(string(tb))
	e.Int(len(p.probeComb))
	e.Float64s(p.probes)
	e.Float64s(p.probeRaw)
	e.Float64s(p.probeComb)
	return e.Bytes(), nil
}

// UnmarshalBinary decodes a pipeline written by MarshalBinary and checks that
// every part is what it was bound to: each part's kind is known and its blob
// decodes as that kind; the combiner has one normaliser per part; each part
// gives, bit for bit, the scores it gave the stored probe rows at Fit, in its
// place, and the combiner the same combined scores. A part replaced, swapped
// with another or fitted on other data is refused. Any failure returns an
// error matching ErrCorrupt and leaves p unchanged. Decoding never panics.
func (p *Pipeline) UnmarshalBinary(data []byte) error {
	dec, _, err := codec.NewDecoder(pkg, magic, version, data)
	if err != nil {
		return err
	}
	// Every field takes at least 8 bytes, which bounds the counts.
	limit := len(data) / 8
	q := &Pipeline{}
	q.d = dec.IntIn("features", 1, limit)
	nn := dec.IntIn("feature names", 0, limit)
	if nn != 0 && nn != q.d {
		dec.Fail("%d feature names for %d features", nn, q.d)
		nn = 0
	}
	// After a failure the decoder's reads return zero values, so the
	// loops below end quickly; their counts are bounded by the input size.
	for j := 0; j < nn; j++ {
		q.names = append(q.names, dec.String())
	}
	q.quantile = dec.Float64()
	q.contam = dec.Float64()
	m := dec.IntIn("detectors", 1, limit)
	blobs := make([]string, 0, min(m, 64))
	failed := false
	for i := 0; i < m && !failed; i++ {
		tag := dec.String()
		ver := dec.Int()
		name := dec.String()
		median := dec.Float64()
		blob := dec.String()
		k := kindOfTag(tag)
		if k == nil {
			dec.Fail("detector %d has kind %q, which this build does not know (%s)", i, tag, kindTags())
			failed = true
			break
		}
		if ver < 1 || ver > k.version {
			dec.Fail("detector %d (%s) has part version %d, this build reads 1 to %d", i, tag, ver, k.version)
			failed = true
			break
		}
		if math.IsNaN(median) || math.IsInf(median, 0) {
			dec.Fail("detector %d has median %v", i, median)
			failed = true
			break
		}
		q.parts = append(q.parts, part{kind: k, name: name, median: median})
		blobs = append(blobs, blob)
	}
	cb := dec.String()
	tb := dec.String()
	np := dec.IntIn("probes", 1, limit)
	q.probes = dec.Float64s()
	q.probeRaw = dec.Float64s()
	q.probeComb = dec.Float64s()
	if err := dec.Err(); err != nil {
		return err
	}
	fail := func(format string, args ...any) error { return errorf(ErrCorrupt, format, args...) }
	if _, err := checkNames(q.names, q.d); nn != 0 && err != nil {
		return fail("feature names: %s", unwrapMsg(err))
	}
	seen := make(map[string]bool, m)
	for i, pt := range q.parts {
		if pt.name == "" || seen[pt.name] {
			return fail("detector %d has an empty or repeated name %q", i, pt.name)
		}
		seen[pt.name] = true
	}
	if q.contam == 0 {
		if !(q.quantile > 0 && q.quantile < 1) {
			return fail("quantile is %v", q.quantile)
		}
	} else if !(q.contam > 0 && q.contam <= 0.5) || !math.IsNaN(q.quantile) {
		return fail("contamination is %v with quantile %v", q.contam, q.quantile)
	}
	if len(q.probes) != np*q.d || len(q.probeRaw) != np*m || len(q.probeComb) != np {
		return fail("probe sizes %d, %d, %d do not fit %d probes of %d features and %d detectors",
			len(q.probes), len(q.probeRaw), len(q.probeComb), np, q.d, m)
	}
	for _, v := range q.probes {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fail("probe value %v", v)
		}
	}
	for i := range q.parts {
		det, err := q.parts[i].kind.decode([]byte(blobs[i]))
		if err != nil {
			return fail("detector %d (%s): its %s model does not decode: %s", i, q.parts[i].name, q.parts[i].kind.tag, unwrapMsg(err))
		}
		q.parts[i].det = det
	}
	q.comb = new(score.Combiner)
	if err := q.comb.UnmarshalBinary([]byte(cb)); err != nil {
		return fail("combiner: %s", unwrapMsg(err))
	}
	if q.comb.Detectors() != m {
		return fail("combiner merges %d detectors, pipeline has %d", q.comb.Detectors(), m)
	}
	q.thr = new(score.Threshold)
	if err := q.thr.UnmarshalBinary([]byte(tb)); err != nil {
		return fail("threshold: %s", unwrapMsg(err))
	}
	// The binding check: each part must score the probes exactly as the
	// part fitted in that place did.
	for a := 0; a < np; a++ {
		x := q.probes[a*q.d : (a+1)*q.d]
		raw := make([]float64, m)
		for i, pt := range q.parts {
			s, err := pt.det.Score(x)
			if err != nil {
				return fail("detector %d (%s) cannot score the pipeline's %d features: %s", i, pt.name, q.d, unwrapMsg(err))
			}
			if math.Float64bits(s) != math.Float64bits(q.probeRaw[a*m+i]) {
				return fail("detector %d (%s, %s) is not the model bound in that place: it scores probe %d %v, the bound model scored %v",
					i, pt.name, pt.kind.tag, a, s, q.probeRaw[a*m+i])
			}
			raw[i] = s
		}
		c, err := q.comb.Combine(raw)
		if err != nil || math.Float64bits(c) != math.Float64bits(q.probeComb[a]) {
			return fail("the combiner is not the one bound to these detectors (probe %d combines to %v, bound %v)", a, c, q.probeComb[a])
		}
	}
	*p = *q
	return nil
}
