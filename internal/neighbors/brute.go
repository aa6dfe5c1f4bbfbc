package neighbors

import "gonum.org/v1/gonum/blas/gonum"

// brute screens candidates with the expansion ‖x−y‖² = ‖x‖² + ‖y‖² − 2x·y,
// whose dot products run through a packed 6×8 FMA kernel, and computes the
// exact squared distance (dist2 on the original rows) only for candidates
// the screen cannot rule out. The expansion loses accuracy to cancellation
// when x and y are close relative to their norms; rather than trusting it,
// the screen subtracts a rigorous bound on its rounding error, so the kept
// neighbours and their distances are exactly those of a direct search.
// Rows are centred on the training mean first, which shrinks the norms and
// with them the error bound.
type brute struct {
	n, d   int
	perm   []int32   // position p holds original row perm[p]
	raw    []float64 // rows in position order, n×d
	panels int
	pk     []float64 // centred rows in panels of 8: pk[8d·q + 8j + r] = c[8q+r][j]
	rn     []float64 // (1−gamma)·‖c_i‖², zero past n
	mu     []float64
	gamma  float64 // |screen − exact| ≤ gamma·(‖c_x‖² + ‖c_y‖²)
	// rt holds the centred rows transposed, rt[8·panels·j + i] = c[i][j],
	// when the dot products go through gonum's BLAS (no FMA kernel); nil
	// otherwise.
	rt []float64
}

const eps = 0x1p-52

func newBrute(raw []float64, n, d int) *brute {
	// Rows are kept in k-d tree order, so that rows close in position are
	// close in space: blocks near the diagonal then hold most neighbours,
	// the heaps fill with good candidates early and the screen rejects
	// more. Heaps still order ties by the original index.
	return newBruteOrdered(raw, n, d, newKDTree(raw, n, d).perm)
}

// newBruteOrdered is newBrute with the tree order given.
func newBruteOrdered(raw []float64, n, d int, perm []int32) *brute {
	np := (n + 7) / 8
	b := &brute{n: n, d: d, panels: np, pk: make([]float64, 8*d*np), rn: make([]float64, 8*np), mu: make([]float64, d)}
	b.perm = perm
	b.raw = make([]float64, n*d)
	for p, i := range b.perm {
		copy(b.raw[p*d:(p+1)*d], raw[int(i)*d:int(i)*d+d])
	}
	raw = b.raw
	for i := 0; i < n; i++ {
		for j, v := range raw[i*d : i*d+d] {
			b.mu[j] += v
		}
	}
	for j := range b.mu {
		b.mu[j] /= float64(n)
	}
	// Dot products and norms of d terms each err by at most d·eps times
	// the sum of |terms| ≤ (‖x‖²+‖y‖²)/2; centring perturbs each coordinate
	// by eps relative. A factor of four over that covers the additions
	// and leaves a safety margin; the cost of a loose bound is only a few
	// more exact evaluations.
	b.gamma = 4 * float64(d+8) * eps
	c := make([]float64, d)
	if !hasFMA && portableBLAS {
		b.rt = make([]float64, d*8*np)
	}
	for i := 0; i < n; i++ {
		nn := b.center(c, raw[i*d:i*d+d])
		b.rn[i] = (1 - b.gamma) * nn
		q, r := i/8, i%8
		for j, v := range c {
			b.pk[8*d*q+8*j+r] = v
		}
		if b.rt != nil {
			for j, v := range c {
				b.rt[8*np*j+i] = v
			}
		}
	}
	return b
}

// center writes x − mu into dst and returns its squared norm.
func (b *brute) center(dst, x []float64) float64 {
	var s float64
	for j, v := range x {
		c := v - b.mu[j]
		dst[j] = c
		s += c * c
	}
	return s
}

// blockPanels is the number of 8-row panels screened per pass: about 256 kB
// of packed rows, which stay in the L2 cache while a query block sweeps them.
func (b *brute) blockPanels() int {
	return max(8, min(256, 4096/b.d))
}

// queryBlock is the number of queries searched together: eight kernel
// groups of six.
const queryBlock = 48

// bruteScratch is per-goroutine working memory of the brute search.
type bruteScratch struct {
	q1 []float64 // one query, scaled by −2, for the one-row kernel
	c  []float64 // one centred query
	qk []float64 // queries packed in groups of six, scaled by −2
	qn []float64 // their squared norms
	g  []float64 // −2·dot products, six rows per group × block width
}

func (b *brute) newScratch(m int) *bruteScratch {
	groups := (m + 5) / 6
	return &bruteScratch{
		q1: make([]float64, b.d),
		c:  make([]float64, b.d),
		qk: make([]float64, groups*6*b.d),
		qn: make([]float64, m),
		g:  make([]float64, groups*6*8*b.blockPanels()),
	}
}

// searchBlock finds the neighbours of the m ≤ queryBlock queries q (rows of
// width d) into hs, skipping original index self[i] for query i when self is
// not nil.
func (b *brute) searchBlock(q []float64, m int, self []int32, hs []heap, s *bruteScratch) {
	d := b.d
	groups := (m + 5) / 6
	qk := s.qk[:groups*6*d]
	clear(qk)
	for i := 0; i < m; i++ {
		s.qn[i] = b.center(s.c, q[i*d:i*d+d])
		g, r := i/6, i%6
		for j, v := range s.c {
			// Scaling by −2 is exact, so the kernel yields −2x·y as is.
			qk[6*d*g+6*j+r] = -2 * v
		}
	}
	if m == 1 {
		for j, v := range s.c {
			s.q1[j] = -2 * v
		}
	}
	bp := b.blockPanels()
	ldg := 8 * bp
	for p0 := 0; p0 < b.panels; p0 += bp {
		np := min(bp, b.panels-p0)
		if b.rt != nil {
			if m == 1 {
				b.dotsBLAS(s.q1, 1, 1, p0, np, s.g, ldg)
			} else {
				b.dotsBLAS(qk, m, 6, p0, np, s.g, ldg)
			}
		} else if m == 1 {
			// One query (Score): the 6-row kernel would waste five rows.
			gemm1x8(s.q1, b.pk[8*d*p0:8*d*(p0+np)], d, np, s.g)
		} else {
			for g := 0; g < groups; g++ {
				gemm6x8(qk[6*d*g:6*d*(g+1)], b.pk[8*d*p0:8*d*(p0+np)], d, np, s.g[6*ldg*g:], ldg)
			}
		}
		r0 := 8 * p0
		nr := min(8*np, b.n-r0)
		rn := b.rn[r0 : r0+nr]
		for i := 0; i < m; i++ {
			h := &hs[i]
			qi := q[i*d : i*d+d]
			qn := (1 - b.gamma) * s.qn[i]
			sf := int32(-1)
			if self != nil {
				sf = self[i]
			}
			bnd := h.bound()
			t := bnd - qn
			g := s.g[i*ldg : i*ldg+nr]
			for j := firstRow(g, rn, t, 0); j < nr; j = firstRow(g, rn, t, j+1) {
				pos := r0 + j
				idx := b.perm[pos]
				if idx == sf {
					continue
				}
				d2 := dist2(qi, b.raw[pos*d:pos*d+d])
				if d2 <= bnd {
					h.push(d2, idx)
					bnd = h.bound()
					t = bnd - qn
				}
			}
		}
	}
}

// portableBLAS routes the dot products of machines without the FMA kernel
// through gonum's BLAS (SIMD axpy on amd64) instead of the portable Go
// kernels; a variable so that benchmarks can compare the two.
var portableBLAS = true

var blasImpl gonum.Implementation

// dotsBLAS is the dot-product step without the FMA kernel: for each of the
// m queries, whose −2-scaled centred coordinates are packed in groups of
// pack (qk[pack·d·(i/pack) + pack·j + i%pack], as the kernels take them),
// g[i·ldg + c] = Σ_j qk(i, j)·rt[j][8·p0 + c] for the 8·np rows of panels
// p0 on, as d unit-stride axpys. Summation order differs from the kernels',
// which the screen's rounding bound allows for.
func (b *brute) dotsBLAS(qk []float64, m, pack, p0, np int, g []float64, ldg int) {
	d, w := b.d, 8*np
	stride, r0 := 8*b.panels, 8*p0
	for i := 0; i < m; i++ {
		gi := g[i*ldg : i*ldg+w]
		clear(gi)
		base := pack*d*(i/pack) + i%pack
		for j := 0; j < d; j++ {
			if a := qk[base+pack*j]; a != 0 {
				o := j*stride + r0
				blasImpl.Daxpy(w, a, b.rt[o:o+w], 1, gi, 1)
			}
		}
	}
}
