package neighbors

import (
	"math"

	"github.com/vigil-ml/vigil/internal/check"
	"github.com/vigil-ml/vigil/internal/codec"
	"github.com/vigil-ml/vigil/internal/scale"
)

// EncodeBase writes the training rows (as indexed) and the scaler. The index
// itself is rebuilt on decoding: it is a pure function of the rows.
func EncodeBase(e *codec.Encoder, b *Base) {
	e.Int(b.Index.Len())
	e.Int(b.Index.Dim())
	e.Float64s(b.Index.Data())
	e.Bool(b.Scaler != nil)
	if b.Scaler != nil {
		e.Float64s(b.Scaler.Mean)
		e.Float64s(b.Scaler.Scale)
	}
}

// Blob is the undecoded-but-read form of a Base.
type Blob struct {
	n, d int
	data []float64
	sc   *scale.Scaler
}

// DecodeBase reads what EncodeBase wrote. Call dec.Err, then Build.
func DecodeBase(dec *codec.Decoder) *Blob {
	bb := &Blob{}
	bb.n = dec.IntIn("row count", 2, math.MaxInt32)
	bb.d = dec.IntIn("width", 1, math.MaxInt32)
	bb.data = dec.Float64s()
	if dec.Bool() {
		bb.sc = &scale.Scaler{Mean: dec.Float64s(), Scale: dec.Float64s()}
	}
	return bb
}

// Len is the number of training rows read.
func (bb *Blob) Len() int { return bb.n }

// Build checks the blob and rebuilds the index.
func (bb *Blob) Build(pkg string, k, workers int) (*Base, error) {
	n, d, data, sc := bb.n, bb.d, bb.data, bb.sc
	bad := func(format string, args ...any) (*Base, error) {
		return nil, check.Errorf(pkg, check.ErrCorrupt, format, args...)
	}
	switch {
	case len(data) != n*d || n*d/d != n:
		return bad("training data has %d values for %d rows of %d", len(data), n, d)
	case k >= n:
		return bad("K is %d for %d training rows", k, n)
	case sc != nil && (len(sc.Mean) != d || len(sc.Scale) != d):
		return bad("scaler width does not match %d", d)
	case check.Finite(pkg, data, d) != nil:
		return bad("training data is not finite")
	}
	if sc != nil {
		for j := range sc.Mean {
			if m, s := sc.Mean[j], sc.Scale[j]; math.IsNaN(m) || math.IsInf(m, 0) || !(s > 0) || math.IsInf(s, 0) {
				return bad("scaler column %d is invalid", j)
			}
		}
	}
	// The rows are stored standardised already: index them as they are.
	b := &Base{Pkg: pkg, K: k, Workers: workers, Scaler: sc, Index: New(data, n, d, Auto)}
	b.pool.New = func() any { return b.newHits() }
	return b, nil
}
