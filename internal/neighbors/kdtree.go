package neighbors

import "context"

// kdTree is a k-d tree over a permuted copy of the points, with
// a tight bounding box per node. Leaves hold up to leafSize points stored
// contiguously, so a leaf scan is a linear pass over memory.
type kdTree struct {
	ctx     context.Context // nil: the build cannot be cancelled
	stopped bool            // ctx was cancelled during the build: the tree is unusable
	d       int
	pts     []float64 // points in tree order, n×d
	perm    []int32   // pts row r is original point perm[r]
	nodes   []node
	bounds  []float64 // per node: d lower then d upper bounds
	varBuf  []float64
}

type node struct {
	start, end  int32
	left, right int32   // -1 for a leaf
	minIdx      int32   // smallest original index in the node
	dim         int32   // split coordinate
	split       float64 // left points have coordinate < split (≤ after a median split), right ≥ split
	// same marks a leaf whose points are all identical; its points are in
	// index order so a scan can stop after k of them.
	same bool
}

const leafSize = 16

// cancelCheckRows is the smallest node at which a cancellable build checks
// its context: a few hundred checks on a million rows, each node of that
// size costing far more than the check.
const cancelCheckRows = 4096

func newKDTree(data []float64, n, d int) *kdTree { return newKDTreeContext(nil, data, n, d) }

// newKDTreeContext is newKDTree that gives up once ctx is cancelled
// (checked at every node of at least cancelCheckRows rows), leaving a tree
// with stopped set that must not be searched.
func newKDTreeContext(ctx context.Context, data []float64, n, d int) *kdTree {
	t := &kdTree{ctx: ctx, d: d, perm: make([]int32, n), varBuf: make([]float64, 2*d)}
	for i := range t.perm {
		t.perm[i] = int32(i)
	}
	t.nodes = make([]node, 0, 2*(n/leafSize+1))
	t.bounds = make([]float64, 0, 2*d*cap(t.nodes))
	t.build(data, 0, n)
	if t.stopped {
		return t
	}
	t.pts = make([]float64, n*d)
	for r, i := range t.perm {
		copy(t.pts[r*d:(r+1)*d], data[int(i)*d:int(i)*d+d])
	}
	return t
}

func (t *kdTree) build(data []float64, start, end int) int32 {
	d := t.d
	id := int32(len(t.nodes))
	t.nodes = append(t.nodes, node{start: int32(start), end: int32(end), left: -1, right: -1})
	off := len(t.bounds)
	for j := 0; j < 2*d; j++ {
		t.bounds = append(t.bounds, 0)
	}
	if t.stopped || (t.ctx != nil && end-start >= cancelCheckRows && t.ctx.Err() != nil) {
		t.stopped = true
		return id
	}
	lo, hi := t.bounds[off:off+d], t.bounds[off+d:off+2*d]
	first := int(t.perm[start]) * d
	copy(lo, data[first:first+d])
	copy(hi, data[first:first+d])
	for _, i := range t.perm[start+1 : end] {
		row := data[int(i)*d : int(i)*d+d]
		for j, v := range row {
			if v < lo[j] {
				lo[j] = v
			}
			if v > hi[j] {
				hi[j] = v
			}
		}
	}
	mi := t.perm[start]
	for _, i := range t.perm[start+1 : end] {
		mi = min(mi, i)
	}
	t.nodes[id].minIdx = mi
	spread := 0.0
	for j := range lo {
		spread = max(spread, hi[j]-lo[j])
	}
	if spread == 0 {
		// All points coincide: no split can separate them. Index order
		// lets a search take the lowest indices and stop.
		sortInt32(t.perm[start:end])
		t.nodes[id].same = true
		return id
	}
	if end-start <= leafSize {
		return id
	}
	dim := splitDim(data, d, t.perm[start:end], t.varBuf)
	// Split at the mean of the coordinate: on skewed data it cuts where
	// the mass is thin and gives rounder cells than the median, which
	// roughly halved the search time on shuttle and cut a quarter on
	// cover. A split that leaves under 1/64 of the points on one side
	// falls back to the median, which bounds the depth.
	var sum float64
	for _, i := range t.perm[start:end] {
		sum += data[int(i)*d+dim]
	}
	split := sum / float64(end-start)
	if !(split > lo[dim]) {
		split = hi[dim]
	}
	p := t.perm[start:end]
	i, j := 0, len(p)-1
	for i <= j {
		if data[int(p[i])*d+dim] < split {
			i++
		} else {
			p[i], p[j] = p[j], p[i]
			j--
		}
	}
	mid := start + i
	if m := end - start; min(mid-start, end-mid) < max(1, m/64) {
		mid = (start + end) / 2
		selectKth(data, d, dim, p, mid-start)
		split = data[int(t.perm[mid])*d+dim]
	}
	t.nodes[id].dim = int32(dim)
	t.nodes[id].split = split
	l := t.build(data, start, mid)
	r := t.build(data, mid, end)
	t.nodes[id].left, t.nodes[id].right = l, r
	return id
}

// selectKth reorders p so that p[k] has the k-th smallest coordinate dim,
// with no larger value before it and no smaller after (Hoare quickselect).
func selectKth(data []float64, d, dim int, p []int32, k int) {
	lo, hi := 0, len(p)-1
	key := func(i int32) float64 { return data[int(i)*d+dim] }
	for lo < hi {
		// Median of three as pivot guards against sorted input.
		m := lo + (hi-lo)/2
		a, b, c := key(p[lo]), key(p[m]), key(p[hi])
		pv := b
		if (a <= b) == (b <= c) {
			pv = b
		} else if (b <= a) == (a <= c) {
			pv = a
		} else {
			pv = c
		}
		i, j := lo, hi
		for i <= j {
			for key(p[i]) < pv {
				i++
			}
			for key(p[j]) > pv {
				j--
			}
			if i <= j {
				p[i], p[j] = p[j], p[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return
		}
	}
}

func sortInt32(a []int32) {
	// Insertion sort for short runs, else a simple heap sort; identical
	// points are rare enough that this is never hot.
	if len(a) < 32 {
		for i := 1; i < len(a); i++ {
			for j := i; j > 0 && a[j] < a[j-1]; j-- {
				a[j], a[j-1] = a[j-1], a[j]
			}
		}
		return
	}
	n := len(a)
	down := func(p, n int) {
		for {
			c := 2*p + 1
			if c >= n {
				return
			}
			if c+1 < n && a[c+1] > a[c] {
				c++
			}
			if a[p] >= a[c] {
				return
			}
			a[p], a[c] = a[c], a[p]
			p = c
		}
	}
	for p := n/2 - 1; p >= 0; p-- {
		down(p, n)
	}
	for e := n - 1; e > 0; e-- {
		a[0], a[e] = a[e], a[0]
		down(0, e)
	}
}

// search adds to h the points of subtree id nearer than its bound, skipping
// the point with original index self (-1 for none). Internal nodes are
// pruned by the incremental distance of Arya and Mount: rd is the squared
// distance from q to the cell cut out by the splits above, off its
// per-coordinate offsets, so a far child costs O(1) to test. Leaves are
// tested against their tight bounding box before any point is scanned.
func (t *kdTree) search(q []float64, self int32, h *heap, id int32, rd float64, off []float64) {
	nd := &t.nodes[id]
	for nd.left >= 0 {
		diff := q[nd.dim] - nd.split
		near, far := nd.left, nd.right
		if diff >= 0 {
			near, far = far, near
		}
		t.search(q, self, h, near, rd, off)
		// The cell of the far child is at least |diff| away along dim.
		// Shrinking by a few ulps keeps the rounded estimate a lower
		// bound, so no point at or under the bound is ever skipped.
		old := off[nd.dim]
		rdFar := (rd - old*old + diff*diff) * (1 - 0x1p-40)
		b := h.bound()
		if rdFar > b {
			return
		}
		off[nd.dim] = diff
		t.search(q, self, h, far, rdFar, off)
		off[nd.dim] = old
		return
	}
	b := h.bound()
	// The tight box distance, abandoned as soon as it exceeds the bound.
	d := t.d
	o := int(id) * 2 * d
	lo := t.bounds[o : o+d : o+d]
	hi := t.bounds[o+d : o+2*d : o+2*d]
	q = q[:d]
	var bd float64
	for j, v := range q {
		if l := lo[j]; v < l {
			u := l - v
			bd += float64(u * u)
		} else if u := hi[j]; v > u {
			u = v - u
			bd += float64(u * u)
		} else {
			continue
		}
		if bd*shrink > b {
			return
		}
	}
	// The box distance is rounded in column order while a point distance
	// of 16 or more columns is summed in four lanes: scaling down by a few
	// ulps keeps the former a lower bound of the latter.
	bd *= shrink
	// A box at exactly the bound can still hold a tie with a smaller
	// index; integer-valued data makes such ties common.
	if bd == b && h.full() && nd.minIdx > h.idx[0] {
		return
	}
	t.scanLeaf(q, self, h, nd, b)
}

func (t *kdTree) scanLeaf(q []float64, self int32, h *heap, nd *node, b float64) {
	d := t.d
	if nd.same {
		// Every point is at the same distance: only the lowest
		// indices can enter, in order.
		r := int(nd.start)
		d2 := dist2(q, t.pts[r*d:r*d+d])
		if d2 > b {
			return
		}
		taken := 0
		for _, i := range t.perm[nd.start:nd.end] {
			if i == self || h.seeded(i) {
				continue
			}
			if h.full() && !less(d2, i, h.d2[0], h.idx[0]) {
				return
			}
			h.push(d2, i)
			if taken++; taken == len(h.d2) {
				return
			}
		}
		return
	}
	r, end := int(nd.start), int(nd.end)
	h.scanned += end - r
	for ; r+4 <= end; r += 4 {
		s0, s1, s2, s3 := dist2x4(q, t.pts[r*d:])
		if s0 <= b || s1 <= b || s2 <= b || s3 <= b {
			for u, s := range [4]float64{s0, s1, s2, s3} {
				if i := t.perm[r+u]; s <= b && i != self && !h.seeded(i) {
					h.push(s, i)
					b = h.bound()
				}
			}
		}
	}
	for ; r < end; r++ {
		i := t.perm[r]
		d2 := dist2(q, t.pts[r*d:r*d+d])
		if d2 <= b && i != self && !h.seeded(i) {
			h.push(d2, i)
			b = h.bound()
		}
	}
}

// shrink scales a rounded box distance down by a few ulps.
const shrink = 1 - 0x1p-40

// splitDim picks the coordinate of largest variance. Range, the classic
// choice, lets a few far outliers draw every split to one axis.
func splitDim(data []float64, d int, p []int32, buf []float64) int {
	sum, sq := buf[:d], buf[d:2*d]
	clear(buf)
	// Shift by the first point to keep the one-pass variance stable.
	ref := data[int(p[0])*d : int(p[0])*d+d]
	for _, i := range p {
		row := data[int(i)*d : int(i)*d+d]
		for j, v := range row {
			u := v - ref[j]
			sum[j] += u
			sq[j] += u * u
		}
	}
	best, bv := 0, -1.0
	m := float64(len(p))
	for j := range sum {
		if v := sq[j] - sum[j]*sum[j]/m; v > bv {
			best, bv = j, v
		}
	}
	return best
}
