package neighbors

// brute screens candidates with the expansion ‖x−y‖² = ‖x‖² + ‖y‖² − 2x·y,
// whose dot products run through the blocked FMA kernel, and computes the
// exact squared distance (dist2 on the original rows) only for candidates
// the screen cannot rule out. The expansion loses accuracy to cancellation
// when x and y are close relative to their norms; rather than trusting it,
// the screen subtracts a rigorous bound on its rounding error, so the kept
// neighbours and their distances are exactly those of a direct search.
// Rows are centred on the training mean first, which shrinks the norms and
// with them the error bound.
type brute struct {
	n, d, p int
	raw     []float64 // original rows, n×d
	c       []float64 // centred rows padded with zeros to p columns
	norm    []float64 // ‖c_i‖²
	mu      []float64
	gamma   float64 // error bound factor: |screen − exact| ≤ gamma·(‖c_x‖² + ‖c_y‖²)
}

const eps = 0x1p-52

func newBrute(raw []float64, n, d int) *brute {
	p := (d + 3) &^ 3
	b := &brute{n: n, d: d, p: p, raw: raw, c: make([]float64, n*p), norm: make([]float64, n), mu: make([]float64, d)}
	for i := 0; i < n; i++ {
		for j, v := range raw[i*d : i*d+d] {
			b.mu[j] += v
		}
	}
	for j := range b.mu {
		b.mu[j] /= float64(n)
	}
	for i := 0; i < n; i++ {
		b.norm[i] = b.center(b.c[i*p:(i+1)*p], raw[i*d:i*d+d])
	}
	// Dot products and norms of p terms each err by at most p·eps times
	// the sum of |terms| ≤ (‖x‖²+‖y‖²)/2; centring perturbs each coordinate
	// by eps relative. A factor of four over that covers the additions
	// and leaves a safety margin; the cost of a loose bound is only a few
	// more exact evaluations.
	b.gamma = 4 * float64(p+8) * eps
	return b
}

// center writes x − mu into dst (zero-padded) and returns its squared norm.
func (b *brute) center(dst, x []float64) float64 {
	var s float64
	for j, v := range x {
		c := v - b.mu[j]
		dst[j] = c
		s += c * c
	}
	for j := len(x); j < len(dst); j++ {
		dst[j] = 0
	}
	return s
}

// refBlock is the number of reference rows screened per pass; a block of
// centred rows stays in the L2 cache while a query block sweeps it.
func (b *brute) refBlock() int {
	r := (32768 / b.p) &^ 3
	return max(64, min(r, 1024))
}

const queryBlock = 32

// scratch is per-goroutine working memory of the brute search.
type bruteScratch struct {
	qc    []float64 // centred queries, queryBlock×p
	qn    []float64 // their norms
	g     []float64 // dot products, queryBlock×refBlock
	spare []float64
}

func (b *brute) newScratch(nq int) *bruteScratch {
	rb := b.refBlock()
	return &bruteScratch{
		qc:    make([]float64, nq*b.p),
		qn:    make([]float64, nq),
		g:     make([]float64, nq*rb),
		spare: make([]float64, rb),
	}
}

// searchBlock finds the neighbours of the m ≤ queryBlock queries q (rows of
// width d) into hs, skipping original index self[i] for query i when self is
// not nil.
func (b *brute) searchBlock(q []float64, m int, self []int32, hs []heap, s *bruteScratch) {
	p, d := b.p, b.d
	for i := 0; i < m; i++ {
		s.qn[i] = b.center(s.qc[i*p:(i+1)*p], q[i*d:i*d+d])
	}
	rb := b.refBlock()
	for r0 := 0; r0 < b.n; r0 += rb {
		nr := min(rb, b.n-r0)
		dots(s.qc, m, b.c[r0*p:(r0+nr)*p], nr, p, s.g, rb, s.spare)
		for i := 0; i < m; i++ {
			h := &hs[i]
			qi := q[i*d : i*d+d]
			qn := s.qn[i]
			sf := int32(-1)
			if self != nil {
				sf = self[i]
			}
			bnd := h.bound()
			g := s.g[i*rb : i*rb+nr]
			norm := b.norm[r0 : r0+nr]
			for j, gj := range g {
				rn := norm[j]
				if qn+rn-2*gj-b.gamma*(qn+rn) > bnd {
					continue
				}
				idx := int32(r0 + j)
				if idx == sf {
					continue
				}
				d2 := dist2(qi, b.raw[int(idx)*d:int(idx)*d+d])
				if d2 <= bnd {
					h.push(d2, idx)
					bnd = h.bound()
				}
			}
		}
	}
}
