package iforest

import (
	"math"

	"github.com/vigil-ml/vigil/internal/check"
)

// Explain returns one non-negative contribution per feature to the
// isolation of x, larger meaning more responsible for its score.
//
// The attribution is path-based, on the model's own trees: the local DIFFI
// of Carletti, Terzi and Susto (2020) weighs the splits on x's path in each
// tree by 1/h, h being x's path length in that tree, so that trees which
// isolate x early count more. Each split on that path is credited to its
// feature by
//
//	log2(n/m) · r²,  r = |x_f − split| / (width of x's node in feature f)
//
// The first factor is how much the split isolates x: at a node of n
// training rows that sends x to a child of m rows it sets x apart from
// n − m rows, log2(n/m) bits (DIFFI's local score counts splits instead,
// which cannot tell a feature that cuts x off from one that halves the
// node). The second is how decisively x lies on its side: the node's box in
// f is the interval its ancestors' splits on f leave of the range the
// forest splits f over (the smallest to the largest split value on f in
// any tree), and r is x's distance past the split in units of that width.
// A normal value lies within its node, at r below 1, and a cut through the
// node's middle would have isolated it about as well the other way; a
// value far beyond the bulk of f lies many widths past every split on f.
// The bits alone miss that on real data: a value beyond a feature's range
// follows the path of the most extreme training value, so it gets that
// row's bits, little more. Squared, r keeps a feature displaced far ahead
// of the others that an ordinary path also splits on.
//
// A hyperplane of an extended forest is credited by its bits only, shared
// among its features in proportion to |coefficient|. Feature f's
// contribution is the mean over trees of its credits / h. r is capped at
// 1e9, so that contributions stay finite for any accepted x.
//
// On the corrupted-feature test (a normal row with one feature moved by 6
// standard deviations; TestExplainCorruptedFeature, correlated Gaussian
// data, 3 seeds) Explain ranks the moved feature first in 100 %, 100 % and
// 99.8 % of rows at 4, 8 and 16 features (99.4 %, 98.0 % and 92.2 % with the
// bits alone); on the shared ODDS sets (benchmarks'
// TestIForestExplainRealData) in 92 % of rows (61 % with the bits alone,
// 43 % counting splits as DIFFI does), and in 97 % of the rows the forest
// flags (76.5 % with the bits alone).
//
// Node sizes are not stored in the model: they are recovered from the leaves'
// path lengths, depth + c(size), when the model is fitted or decoded, as are
// the split ranges. A leaf of an extended tree that no row reached is counted
// as one row. Explain allocates the result only and is safe for concurrent
// use; it costs one pass down each tree.
func (m *Model) Explain(x []float64) ([]float64, error) {
	if m.nodes == nil {
		return nil, errUnfitted()
	}
	if err := check.Row(pkg, x, m.dim); err != nil {
		return nil, err
	}
	out := make([]float64, m.dim)
	// The splits taken so far on x's path, to find x's node box, with
	// their credits until the path length is known.
	var path [64]pathSplit
	for _, root := range m.roots {
		np := 0
		i := root
		for m.nodes[i].left != i {
			next := m.child(i, x)
			bits := m.lgSize[i] - m.lgSize[next]
			if m.ext != 0 {
				// Hyperplanes: the bits, shared by |coefficient|; the
				// path length is applied below through the leaf.
				if np < len(path) {
					path[np] = pathSplit{feature: -1 - i, credit: bits}
					np++
				}
				i = next
				continue
			}
			nd := &m.nodes[i]
			f := nd.feature
			lo, hi := m.splitLo[f], m.splitHi[f]
			for _, p := range path[:np] {
				if p.feature == f {
					if p.upper {
						hi = min(hi, p.split)
					} else {
						lo = max(lo, p.split)
					}
				}
			}
			r := 1.0 // a feature split at one value only: no width to measure by
			if hi > lo {
				r = min(math.Abs(x[f]-nd.split)/(hi-lo), 1e9)
			}
			if np < len(path) {
				path[np] = pathSplit{feature: f, split: nd.split, upper: next == nd.left, credit: bits * r * r}
				np++
			}
			i = next
		}
		if i == root {
			continue // a tree of one leaf isolates nothing
		}
		w := 1 / m.vals[i] // ≥ 1 step, so finite
		for _, p := range path[:np] {
			if p.feature < 0 {
				m.credit(out, -1-p.feature, w*p.credit)
			} else {
				out[p.feature] += w * p.credit
			}
		}
	}
	for j := range out {
		out[j] /= float64(len(m.roots))
	}
	return out, nil
}

// pathSplit is a split on x's path and its credit: x went below it
// (upper: the split bounds x's node from above) or above it. A hyperplane
// is recorded as feature −1 − node.
type pathSplit struct {
	split, credit float64
	feature       int32
	upper         bool
}

// child returns the child of internal node i that x goes to.
func (m *Model) child(i int32, x []float64) int32 {
	nd := &m.nodes[i]
	if m.ext == 0 {
		return nd.left + b2i(x[nd.feature] > nd.split)
	}
	stride := m.ext + 1
	off := int(nd.feature) * stride
	var dot float64
	for j, f := range m.planeIdx[off : off+stride] {
		dot += m.planeCoef[off+j] * x[f]
	}
	return nd.left + b2i(dot > nd.split)
}

// credit adds v to the feature(s) that internal node i splits on.
func (m *Model) credit(out []float64, i int32, v float64) {
	nd := &m.nodes[i]
	if m.ext == 0 {
		out[nd.feature] += v
		return
	}
	stride := m.ext + 1
	off := int(nd.feature) * stride
	coef := m.planeCoef[off : off+stride]
	var norm float64
	for _, c := range coef {
		norm += math.Abs(c)
	}
	if norm == 0 {
		return
	}
	for j, f := range m.planeIdx[off : off+stride] {
		out[f] += v * math.Abs(coef[j]) / norm
	}
}

// deriveSizes recovers every node's training-row count from the leaves'
// path lengths (a leaf at depth h holds the n with h + c(n) equal to its
// value; c(0) = c(1), and a leaf of c = 0 is counted as one row) and sums
// them up the trees. It runs after validate, so children follow parents.
func (m *Model) deriveSizes() {
	// The range each feature is split over, for Explain's node widths.
	m.splitLo, m.splitHi = make([]float64, m.dim), make([]float64, m.dim)
	if m.ext == 0 {
		for j := range m.splitLo {
			m.splitLo[j], m.splitHi[j] = math.Inf(1), math.Inf(-1)
		}
		for i, nd := range m.nodes {
			if int(nd.left) != i {
				m.splitLo[nd.feature] = min(m.splitLo[nd.feature], nd.split)
				m.splitHi[nd.feature] = max(m.splitHi[nd.feature], nd.split)
			}
		}
		for j := range m.splitLo {
			if m.splitLo[j] > m.splitHi[j] { // never split on
				m.splitLo[j], m.splitHi[j] = 0, 0
			}
		}
	}
	m.sizes = make([]int32, len(m.nodes))
	depth := make([]int32, len(m.nodes))
	for i, nd := range m.nodes {
		if int(nd.left) != i {
			depth[nd.left], depth[nd.left+1] = depth[i]+1, depth[i]+1
		}
	}
	for i := len(m.nodes) - 1; i >= 0; i-- {
		nd := m.nodes[i]
		if int(nd.left) != i {
			m.sizes[i] = m.sizes[nd.left] + m.sizes[nd.left+1]
			continue
		}
		m.sizes[i] = int32(sizeForPath(m.vals[i]-float64(depth[i]), m.psi))
	}
	m.lgSize = make([]float64, len(m.nodes))
	for i, n := range m.sizes {
		m.lgSize[i] = math.Log2(float64(n))
	}
}

// sizeForPath returns the n in [1, psi] whose c(n) is closest to c.
func sizeForPath(c float64, psi int) int {
	lo, hi := 1, psi // c is increasing on [1, psi]
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if avgPath(mid) < c {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo > 1 && c-avgPath(lo-1) < avgPath(lo)-c {
		return lo - 1
	}
	return lo
}
