package neighbors

// kdTree is a median-split k-d tree over a permuted copy of the points, with
// a tight bounding box per node. Leaves hold up to leafSize points stored
// contiguously, so a leaf scan is a linear pass over memory.
type kdTree struct {
	d      int
	pts    []float64 // points in tree order, n×d
	perm   []int32   // pts row r is original point perm[r]
	nodes  []node
	bounds []float64 // per node: d lower then d upper bounds
	varBuf []float64
}

type node struct {
	start, end  int32
	left, right int32 // -1 for a leaf
	minIdx      int32 // smallest original index in the node
	// same marks a leaf whose points are all identical; its points are in
	// index order so a scan can stop after k of them.
	same bool
}

const leafSize = 16

func newKDTree(data []float64, n, d int) *kdTree {
	t := &kdTree{d: d, perm: make([]int32, n), varBuf: make([]float64, 2*d)}
	for i := range t.perm {
		t.perm[i] = int32(i)
	}
	t.nodes = make([]node, 0, 2*(n/leafSize+1))
	t.bounds = make([]float64, 0, 2*d*cap(t.nodes))
	t.build(data, 0, n)
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
	mid := (start + end) / 2
	selectKth(data, d, dim, t.perm[start:end], mid-start)
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

// minDist2 is the squared distance from q to the box of node id.
func (t *kdTree) minDist2(q []float64, id int32) float64 {
	d := t.d
	off := int(id) * 2 * d
	lo := t.bounds[off : off+d : off+d]
	hi := t.bounds[off+d : off+2*d : off+2*d]
	q = q[:d]
	var s float64
	for j, v := range q {
		if l := lo[j]; v < l {
			u := l - v
			s += float64(u * u)
		} else if h := hi[j]; v > h {
			u := v - h
			s += float64(u * u)
		}
	}
	return s
}

// search adds to h the points of subtree id nearer than its bound, skipping
// the point with original index self (-1 for none). rd is the box distance.
func (t *kdTree) search(q []float64, self int32, h *heap, id int32, rd float64) {
	b := h.bound()
	nd := &t.nodes[id]
	// A box at exactly the bound can still hold a tie with a smaller
	// index; integer-valued data makes such ties common.
	if rd > b || (rd == b && h.full() && nd.minIdx > h.idx[0]) {
		return
	}
	if nd.left < 0 {
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
				if i == self {
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
		nScan += int(nd.end - nd.start)
		r, end := int(nd.start), int(nd.end)
		for ; r+4 <= end; r += 4 {
			s0, s1, s2, s3 := dist2x4(q, t.pts[r*d:])
			if s0 <= b || s1 <= b || s2 <= b || s3 <= b {
				for u, s := range [4]float64{s0, s1, s2, s3} {
					if i := t.perm[r+u]; s <= b && i != self {
						h.push(s, i)
						b = h.bound()
					}
				}
			}
		}
		for ; r < end; r++ {
			i := t.perm[r]
			d2 := dist2(q, t.pts[r*d:r*d+d])
			if d2 <= b && i != self {
				h.push(d2, i)
				b = h.bound()
			}
		}
		return
	}
	nNode++
	l, r := nd.left, nd.right
	rl, rr := t.minDist2Pair(q, l, r)
	if rl <= rr {
		t.search(q, self, h, l, rl)
		t.search(q, self, h, r, rr)
	} else {
		t.search(q, self, h, r, rr)
		t.search(q, self, h, l, rl)
	}
}

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

var nScan, nNode int

// minDist2Pair is minDist2 for two nodes, interleaved for parallelism.
func (t *kdTree) minDist2Pair(q []float64, a, b int32) (sa, sb float64) {
	d := t.d
	oa, ob := int(a)*2*d, int(b)*2*d
	la, ha := t.bounds[oa:oa+d:oa+d], t.bounds[oa+d:oa+2*d:oa+2*d]
	lb, hb := t.bounds[ob:ob+d:ob+d], t.bounds[ob+d:ob+2*d:ob+2*d]
	q = q[:d]
	for j, v := range q {
		var ua, ub float64
		if l := la[j]; v < l {
			ua = l - v
		} else if h := ha[j]; v > h {
			ua = v - h
		}
		if l := lb[j]; v < l {
			ub = l - v
		} else if h := hb[j]; v > h {
			ub = v - h
		}
		sa += float64(ua * ua)
		sb += float64(ub * ub)
	}
	return
}
