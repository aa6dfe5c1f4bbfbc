package iforest

import (
	"math"

	"github.com/vigil-ml/vigil/internal/check"
	"github.com/vigil-ml/vigil/internal/codec"
)

const (
	magic   = "VIFO"
	version = 1
)

// MarshalBinary encodes the model in Vigil's versioned binary format.
func (m *Model) MarshalBinary() ([]byte, error) {
	if m.nodes == nil {
		return nil, errUnfitted()
	}
	e := codec.NewEncoder(magic, version)
	e.Int(m.dim)
	e.Int(m.psi)
	e.Int(m.ext)
	splits := make([]float64, len(m.nodes))
	feats := make([]int32, len(m.nodes))
	lefts := make([]int32, len(m.nodes))
	for i, nd := range m.nodes {
		splits[i], feats[i], lefts[i] = nd.split, nd.feature, nd.left
	}
	e.Float64s(splits)
	e.Int32s(feats)
	e.Int32s(lefts)
	e.Float64s(m.vals)
	e.Int32s(m.roots)
	e.Int32s(m.planeIdx)
	e.Float64s(m.planeCoef)
	return e.Bytes(), nil
}

// UnmarshalBinary decodes a model written by MarshalBinary. Corrupt,
// truncated or inconsistent input gives an error wrapping ErrCorrupt; the
// model is left unchanged then. The decoded model scores with
// runtime.GOMAXPROCS(0) workers.
func (m *Model) UnmarshalBinary(data []byte) error {
	dec, _, err := codec.NewDecoder(pkg, magic, version, data)
	if err != nil {
		return err
	}
	var out Model
	out.dim = dec.IntIn("feature count", 1, math.MaxInt32)
	out.psi = dec.IntIn("sample size", 2, math.MaxInt32)
	out.ext = dec.IntIn("extension level", 0, max(out.dim-1, 0))
	splits := dec.Float64s()
	feats := dec.Int32s()
	lefts := dec.Int32s()
	out.vals = dec.Float64s()
	out.roots = dec.Int32s()
	out.planeIdx = dec.Int32s()
	out.planeCoef = dec.Float64s()
	if err := dec.Err(); err != nil {
		return err
	}
	n := len(splits)
	if len(feats) != n || len(lefts) != n {
		return check.Errorf(pkg, ErrCorrupt, "node arrays have lengths %d, %d, %d", n, len(feats), len(lefts))
	}
	out.nodes = make([]node, n)
	for i := range out.nodes {
		out.nodes[i] = node{split: splits[i], feature: feats[i], left: lefts[i]}
	}
	if err := out.validate(); err != nil {
		return check.Errorf(pkg, ErrCorrupt, "model data is not a forest Fit can produce: %v", err)
	}
	out.depth = heightLimit(out.psi)
	out.deriveSizes()
	out.workers = 0
	out.norm = avgPath(out.psi) * float64(len(out.roots))
	*m = out
	return nil
}
