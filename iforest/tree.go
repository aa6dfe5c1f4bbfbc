package iforest

import (
	"math"
	"math/rand/v2"
)

// builtTree is one tree before packing: node children index its own nodes,
// and an extended node's feature indexes its own hyperplanes.
type builtTree struct {
	nodes     []node
	vals      []float64
	planeIdx  []int32
	planeCoef []float64
}

// builder grows one tree from its own random stream.
type builder struct {
	data     []float64 // training rows, row-major
	d        int
	ext      int
	maxDepth int
	r        *rand.Rand
	feats    []int // the features this tree may split on
	scratch  []int // feature draw order
	tree     builtTree
}

func (b *builder) grow(n, psi, nFeat int, bootstrap bool) builtTree {
	rows := make([]int, psi)
	switch {
	case bootstrap:
		for i := range rows {
			rows[i] = b.r.IntN(n)
		}
	case psi == n:
		for i := range rows {
			rows[i] = i
		}
	default:
		// Floyd's algorithm: psi distinct rows without touching all n.
		seen := make(map[int]struct{}, psi)
		k := 0
		for j := n - psi; j < n; j++ {
			t := b.r.IntN(j + 1)
			if _, dup := seen[t]; dup {
				t = j
			}
			seen[t] = struct{}{}
			rows[k] = t
			k++
		}
	}
	all := make([]int, b.d)
	for i := range all {
		all[i] = i
	}
	if nFeat < b.d {
		for i := 0; i < nFeat; i++ {
			j := i + b.r.IntN(b.d-i)
			all[i], all[j] = all[j], all[i]
		}
	}
	b.feats = all[:nFeat]
	b.scratch = make([]int, nFeat)
	b.tree.nodes = make([]node, 1, 2*psi-1)
	b.tree.vals = make([]float64, 1, 2*psi-1)
	b.build(0, rows, 0)
	return b.tree
}

func (b *builder) leaf(at int, size, depth int) {
	b.tree.nodes[at] = node{split: math.Inf(1), left: int32(at)}
	b.tree.vals[at] = float64(depth) + avgPath(size)
}

// build fills node at with a split of rows, or a leaf, and recurses.
func (b *builder) build(at int, rows []int, depth int) {
	if depth >= b.maxDepth || len(rows) <= 1 {
		b.leaf(at, len(rows), depth)
		return
	}
	var (
		split   float64
		feature int32
		ok      bool
		k       int
	)
	if b.ext == 0 {
		split, feature, ok = b.axisCut(rows)
		if ok {
			k = b.partition(rows, func(r int) bool { return b.data[r*b.d+int(feature)] <= split })
		}
	} else {
		var plane []int32
		var coef []float64
		split, plane, coef, ok = b.planeCut(rows)
		if ok {
			feature = int32(len(b.tree.planeIdx) / (b.ext + 1))
			b.tree.planeIdx = append(b.tree.planeIdx, plane...)
			b.tree.planeCoef = append(b.tree.planeCoef, coef...)
			k = b.partition(rows, func(r int) bool {
				x := b.data[r*b.d : (r+1)*b.d]
				var dot float64
				for j, f := range plane {
					dot += coef[j] * x[f]
				}
				return dot <= split
			})
		}
	}
	if !ok {
		b.leaf(at, len(rows), depth)
		return
	}
	left := len(b.tree.nodes)
	b.tree.nodes = append(b.tree.nodes, node{}, node{})
	b.tree.vals = append(b.tree.vals, 0, 0)
	b.tree.nodes[at] = node{split: split, feature: feature, left: int32(left)}
	b.build(left, rows[:k], depth+1)
	b.build(left+1, rows[k:], depth+1)
}

// partition moves the rows for which goesLeft holds to the front and returns
// how many there are.
func (b *builder) partition(rows []int, goesLeft func(int) bool) int {
	k := 0
	for i, r := range rows {
		if goesLeft(r) {
			rows[i], rows[k] = rows[k], rows[i]
			k++
		}
	}
	return k
}

func (b *builder) extent(rows []int, f int) (lo, hi float64) {
	lo = b.data[rows[0]*b.d+f]
	hi = lo
	for _, r := range rows[1:] {
		v := b.data[r*b.d+f]
		lo = min(lo, v)
		hi = max(hi, v)
	}
	return lo, hi
}

// axisCut draws features in random order until one varies within rows and
// cuts it uniformly between its extremes, as scikit-learn's random splitter
// does. ok is false when every feature is constant on rows.
func (b *builder) axisCut(rows []int) (split float64, feature int32, ok bool) {
	copy(b.scratch, b.feats)
	for left := len(b.scratch); left > 0; left-- {
		j := b.r.IntN(left)
		f := b.scratch[j]
		lo, hi := b.extent(rows, f)
		if hi > lo {
			split = uniform(lo, hi, b.r.Float64())
			if split >= hi { // rounding must not send every row left
				split = lo
			}
			return split, int32(f), true
		}
		b.scratch[j], b.scratch[left-1] = b.scratch[left-1], b.scratch[j]
	}
	return 0, 0, false
}

// planeCut draws a random hyperplane through a uniform point of the rows'
// bounding box, with ext+1 standard-normal components on random features.
// ok is false when the rows are all one point.
func (b *builder) planeCut(rows []int) (split float64, plane []int32, coef []float64, ok bool) {
	varies := false
	for _, f := range b.feats {
		if lo, hi := b.extent(rows, f); hi > lo {
			varies = true
			break
		}
	}
	if !varies {
		return 0, nil, nil, false
	}
	copy(b.scratch, b.feats)
	m := b.ext + 1
	plane = make([]int32, m)
	coef = make([]float64, m)
	for i := 0; i < m; i++ {
		j := i + b.r.IntN(len(b.scratch)-i)
		b.scratch[i], b.scratch[j] = b.scratch[j], b.scratch[i]
		f := b.scratch[i]
		lo, hi := b.extent(rows, f)
		plane[i] = int32(f)
		coef[i] = b.r.NormFloat64()
		split += coef[i] * (lo + b.r.Float64()*(hi-lo))
	}
	return split, plane, coef, true
}

// uniform maps u in [0, 1) into [lo, hi], also when hi − lo overflows.
func uniform(lo, hi, u float64) float64 {
	if span := hi - lo; !math.IsInf(span, 0) {
		return lo + u*span
	}
	return max(lo, lo*(1-u)+hi*u)
}
