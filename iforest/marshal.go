package iforest

import (
	"math"

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
	stride := out.ext + 1
	planes := len(out.planeIdx) / stride
	switch {
	case n == 0 || len(feats) != n || len(lefts) != n || len(out.vals) != n:
		dec.Fail("node arrays have lengths %d, %d, %d, %d", n, len(feats), len(lefts), len(out.vals))
	case len(out.roots) == 0:
		dec.Fail("forest has no trees")
	// An extended forest of single-leaf trees (all rows one point) has no
	// hyperplanes, so only a standard forest must have none.
	case len(out.planeIdx) != len(out.planeCoef) || len(out.planeIdx)%stride != 0 ||
		(out.ext == 0 && len(out.planeIdx) != 0):
		dec.Fail("hyperplane arrays have lengths %d and %d for extension level %d", len(out.planeIdx), len(out.planeCoef), out.ext)
	}
	for _, r := range out.roots {
		if r < 0 || int(r) >= n {
			dec.Fail("tree root %d outside %d nodes", r, n)
		}
	}
	out.depth = heightLimit(out.psi)
	limit := out.dim
	if out.ext > 0 {
		limit = planes
	}
	out.nodes = make([]node, n)
	height := make([]int, n)
	// Children come after their parent, so every walk ends, and heights
	// can be filled from the last node back.
	for i := n - 1; i >= 0 && dec.Err() == nil; i-- {
		nd := node{split: splits[i], feature: feats[i], left: lefts[i]}
		v := out.vals[i]
		switch leaf := int(nd.left) == i; {
		case math.IsNaN(v) || math.IsInf(v, 0) || v < 0:
			dec.Fail("node %d has path length %v", i, v)
		case leaf && nd.feature != 0:
			dec.Fail("leaf %d has feature %d, want 0", i, nd.feature)
		case !leaf && (nd.feature < 0 || int(nd.feature) >= limit):
			dec.Fail("node %d splits on %d, want below %d", i, nd.feature, limit)
		case leaf && !math.IsInf(nd.split, 1):
			dec.Fail("leaf %d has split %v, want +Inf", i, nd.split)
		case leaf:
		case math.IsNaN(nd.split) || math.IsInf(nd.split, 0):
			dec.Fail("node %d has split %v", i, nd.split)
		case int(nd.left) <= i || int(nd.left) >= n-1:
			dec.Fail("node %d has children at %d outside (%d, %d)", i, nd.left, i, n-1)
		default:
			height[i] = 1 + max(height[nd.left], height[nd.left+1])
		}
		out.nodes[i] = nd
	}
	for _, r := range out.roots {
		if dec.Err() == nil && height[r] > out.depth {
			dec.Fail("tree at node %d is %d deep, over the limit %d", r, height[r], out.depth)
		}
	}
	for i, f := range out.planeIdx {
		if f < 0 || int(f) >= out.dim {
			dec.Fail("hyperplane component %d is on feature %d of %d", i, f, out.dim)
			break
		}
	}
	for i, c := range out.planeCoef {
		if math.IsNaN(c) || math.IsInf(c, 0) {
			dec.Fail("hyperplane component %d is %v", i, c)
			break
		}
	}
	if err := dec.Err(); err != nil {
		return err
	}
	out.workers = 0
	out.norm = avgPath(out.psi) * float64(len(out.roots))
	*m = out
	return nil
}
