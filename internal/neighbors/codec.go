package neighbors

import (
	"errors"
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

// Build checks the blob with the validation Fit applies and rebuilds the
// index. Every failure is ErrCorrupt: a blob that breaks an invariant of Fit
// was not written by MarshalBinary.
func (bb *Blob) Build(pkg string, k, workers int) (*Base, error) {
	if err := validate(pkg, bb.data, bb.n, bb.d, k, bb.sc); err != nil {
		return nil, Corrupt(pkg, err)
	}
	// The rows are stored standardised already: index them as they are.
	b := &Base{Pkg: pkg, K: k, Workers: workers, Scaler: bb.sc, Index: New(bb.data, bb.n, bb.d, Auto)}
	b.pool.New = func() any { return b.newHits() }
	return b, nil
}

// Corrupt turns a validation error into the ErrCorrupt a decoder returns,
// keeping its message and position.
func Corrupt(pkg string, err error) error {
	var e *check.Error
	if errors.As(err, &e) {
		return &check.Error{Pkg: pkg, Kind: check.ErrCorrupt, Row: e.Row, Col: e.Col, Msg: "decoded model: " + e.Msg}
	}
	return check.Errorf(pkg, check.ErrCorrupt, "decoded model: %v", err)
}
