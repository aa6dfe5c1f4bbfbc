package iforest

import (
	"fmt"
	"math"
)

// validate checks every invariant that Fit guarantees of a forest, so that a
// decoded model is one Fit could have produced. Fit runs it on its own
// result too (a failure there is a bug), so the two paths share one
// definition of a valid model. It reports the first violation.
//
// The invariants: trees are laid out one after another from node 0, each in
// its own contiguous range, every node but a root the child of exactly one
// node of its tree, children after their parent; no leaf is deeper than the
// height limit ceil(log2 ψ), and a tree has at most as many nodes as ψ rows
// allow; a leaf is its own left child with split +Inf and feature 0, and its
// path length is its depth plus c(size) for a size from 0 to ψ; an internal
// node has a finite split, path length 0, and an axis feature below the
// model's width or, in an extended forest, its own hyperplane of ext+1
// distinct features with finite coefficients, hyperplanes numbered in node
// order.
func (m *Model) validate() error {
	n := len(m.nodes)
	switch {
	case m.dim < 1 || m.psi < 2 || m.ext < 0 || (m.ext > 0 && m.ext >= m.dim):
		return fmt.Errorf("dimensions %d, sample size %d, extension %d", m.dim, m.psi, m.ext)
	case n == 0 || len(m.vals) != n:
		return fmt.Errorf("%d nodes with %d path lengths", n, len(m.vals))
	case len(m.roots) == 0 || m.roots[0] != 0:
		return fmt.Errorf("forest has no trees or does not start at node 0")
	case len(m.planeIdx) != len(m.planeCoef) || len(m.planeIdx)%(m.ext+1) != 0 || (m.ext == 0 && len(m.planeIdx) != 0):
		return fmt.Errorf("hyperplane arrays have lengths %d and %d for extension level %d", len(m.planeIdx), len(m.planeCoef), m.ext)
	}
	if n > math.MaxInt32 {
		return fmt.Errorf("%d nodes, more than a model can index", n)
	}
	maxDepth := heightLimit(m.psi)
	maxNodes := maxNodesPerTree(m.psi, m.ext)
	// A leaf of depth h holds 0 to ψ rows, so its path length lies in
	// [h, h + c(ψ)]; a small slack absorbs rounding in c.
	cMax := avgPath(m.psi) * (1 + 1e-12)
	stride := m.ext + 1
	planes := len(m.planeIdx) / stride
	planeUsed := make([]bool, planes)
	internal := 0
	depth := make([]int32, n)
	parents := make([]uint8, n)
	for t, root := range m.roots {
		end := n
		if t+1 < len(m.roots) {
			end = int(m.roots[t+1])
		}
		lo := int(root)
		if end <= lo || end > n {
			return fmt.Errorf("tree %d spans nodes %d to %d of %d", t, lo, end, n)
		}
		if end-lo > maxNodes {
			return fmt.Errorf("tree %d has %d nodes, more than %d rows allow", t, end-lo, m.psi)
		}
		// Children come after their parent, in pairs inside the tree's
		// range, and every node but the root has exactly one parent: then
		// following parents from any node ends at the root, so the range
		// is one tree, and depths are known in index order.
		for i := lo; i < end; i++ {
			nd, v := m.nodes[i], m.vals[i]
			if (i == lo) != (parents[i] == 0) {
				return fmt.Errorf("node %d has %d parents", i, parents[i])
			}
			if int(nd.left) == i {
				if !math.IsInf(nd.split, 1) || nd.feature != 0 {
					return fmt.Errorf("leaf %d has split %v and feature %d", i, nd.split, nd.feature)
				}
				h := float64(depth[i])
				if !(v >= h && v <= h+cMax) {
					return fmt.Errorf("leaf %d at depth %d has path length %v", i, depth[i], v)
				}
				continue
			}
			l := int(nd.left)
			switch {
			case l <= i || l+1 >= end:
				return fmt.Errorf("node %d has children at %d outside (%d, %d)", i, l, i, end-1)
			case parents[l] != 0 || parents[l+1] != 0:
				return fmt.Errorf("node %d shares a child with another node", i)
			case int(depth[i]) >= maxDepth:
				return fmt.Errorf("node %d splits at depth %d, the height limit is %d", i, depth[i], maxDepth)
			case math.IsNaN(nd.split) || math.IsInf(nd.split, 0):
				return fmt.Errorf("node %d has split %v", i, nd.split)
			case v != 0:
				return fmt.Errorf("internal node %d has path length %v", i, v)
			}
			if m.ext == 0 {
				if nd.feature < 0 || int(nd.feature) >= m.dim {
					return fmt.Errorf("node %d splits on feature %d of %d", i, nd.feature, m.dim)
				}
			} else {
				p := int(nd.feature)
				if p < 0 || p >= planes || planeUsed[p] {
					return fmt.Errorf("node %d uses hyperplane %d of %d, missing or already used", i, p, planes)
				}
				planeUsed[p] = true
				if err := m.checkPlane(p); err != nil {
					return err
				}
			}
			internal++
			parents[l], parents[l+1] = 1, 1
			depth[l], depth[l+1] = depth[i]+1, depth[i]+1
		}
	}
	if m.ext > 0 && internal != planes {
		return fmt.Errorf("%d hyperplanes for %d splits", planes, internal)
	}
	return nil
}

func (m *Model) checkPlane(p int) error {
	stride := m.ext + 1
	idx := m.planeIdx[p*stride : (p+1)*stride]
	coef := m.planeCoef[p*stride : (p+1)*stride]
	for j, f := range idx {
		if f < 0 || int(f) >= m.dim {
			return fmt.Errorf("hyperplane %d is on feature %d of %d", p, f, m.dim)
		}
		for _, g := range idx[:j] {
			if g == f {
				return fmt.Errorf("hyperplane %d repeats feature %d", p, f)
			}
		}
		if math.IsNaN(coef[j]) || math.IsInf(coef[j], 0) {
			return fmt.Errorf("hyperplane %d has coefficient %v", p, coef[j])
		}
	}
	return nil
}
