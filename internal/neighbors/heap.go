package neighbors

// heap is a bounded max-heap of the k best (distance², index) pairs seen so
// far, ordered lexicographically so that equal distances are decided by the
// smaller index. The root is the worst kept candidate, which is what a search
// compares against to prune.
type heap struct {
	d2  []float64
	idx []int32
	n   int
	// scanned counts the points a tree search measured, which is what
	// Auto uses to compare the tree with brute force.
	scanned int
	// When seeding is on, mark[i] == stamp says point i was pushed before
	// the tree search began, so the search must not push it again.
	mark  []uint32
	stamp uint32
}

// seeded reports whether point i was pushed as a seed of the current search.
func (h *heap) seeded(i int32) bool {
	return h.mark != nil && h.mark[i] == h.stamp
}

func (h *heap) reset(k int) {
	h.d2 = h.d2[:k]
	h.idx = h.idx[:k]
	h.n = 0
}

// full reports whether k candidates are held.
func (h *heap) full() bool { return h.n == len(h.d2) }

// bound is the squared distance a candidate must not exceed to enter.
func (h *heap) bound() float64 {
	if h.n < len(h.d2) {
		return inf
	}
	return h.d2[0]
}

// push offers (d2, i).
func (h *heap) push(d2 float64, i int32) {
	k := len(h.d2)
	if h.n < k {
		// Sift up.
		c := h.n
		h.n++
		for c > 0 {
			p := (c - 1) / 2
			if !less(h.d2[p], h.idx[p], d2, i) {
				break
			}
			h.d2[c], h.idx[c] = h.d2[p], h.idx[p]
			c = p
		}
		h.d2[c], h.idx[c] = d2, i
		return
	}
	if !less(d2, i, h.d2[0], h.idx[0]) {
		return
	}
	// Replace the root and sift down.
	p := 0
	for {
		c := 2*p + 1
		if c >= k {
			break
		}
		if c+1 < k && less(h.d2[c], h.idx[c], h.d2[c+1], h.idx[c+1]) {
			c++
		}
		if !less(d2, i, h.d2[c], h.idx[c]) {
			break
		}
		h.d2[p], h.idx[p] = h.d2[c], h.idx[c]
		p = c
	}
	h.d2[p], h.idx[p] = d2, i
}

// less orders candidates by distance, then index.
func less(a float64, ai int32, b float64, bi int32) bool {
	return a < b || (a == b && ai < bi)
}

// drain writes the held candidates in ascending order as distances (the
// square roots) and indices, emptying the heap. It assumes the heap is full.
func (h *heap) drain(dist []float64, idx []int32) {
	for h.n > 0 {
		last := h.n - 1
		dist[last] = h.d2[0]
		idx[last] = h.idx[0]
		// Move the last leaf to the root and sift it down within n-1.
		d2, i := h.d2[last], h.idx[last]
		h.n = last
		p := 0
		for {
			c := 2*p + 1
			if c >= h.n {
				break
			}
			if c+1 < h.n && less(h.d2[c], h.idx[c], h.d2[c+1], h.idx[c+1]) {
				c++
			}
			if !less(d2, i, h.d2[c], h.idx[c]) {
				break
			}
			h.d2[p], h.idx[p] = h.d2[c], h.idx[c]
			p = c
		}
		if h.n > 0 {
			h.d2[p], h.idx[p] = d2, i
		}
	}
	for j := range dist {
		dist[j] = sqrt(dist[j])
	}
}
