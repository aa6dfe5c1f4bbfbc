package ocsvm

import (
	"context"
	"math"

	"github.com/vigil-ml/vigil/internal/parallel"
)

// The solver minimises ½αᵀQα subject to 0 ≤ αᵢ ≤ 1 and Σαᵢ = ν·n, the
// one-class dual in libsvm's scaling (Chang and Lin 2011, §2.3), by SMO with
// the second-order working-set selection of Fan, Chen and Lin (2005),
// shrinking and gradient reconstruction (Chang and Lin 2011, §4–5). It
// follows libsvm's path: the same greedy start, the same selection and
// tie rules, float32 kernel rows, the same shrinking schedule; so it stops
// where libsvm stops, not merely within the tolerance of it.

const (
	atLower int8 = iota
	atUpper
	free
)

// tau replaces a non-positive curvature in the two-variable subproblem.
const tau = 1e-12

type solver struct {
	n, d     int       // rows; stride of x (features padded to a multiple of 4)
	x        []float64 // training rows in the solver's order (row-major)
	sq       []float64 // their squared norms
	k        kernelFunc
	qd       []float64 // K(i, i)
	alpha    []float64
	status   []int8
	g        []float64 // gradient Qα
	gbar     []float64 // Σ over αⱼ at the upper bound of Q_ij
	order    []int     // training index of each position
	active   int
	cache    *rowCache
	tol      float64
	unshrink bool
	workers  int
	ctx      context.Context
	maxIter  int
	progress func(Progress)
	iter     int
	gap      float64
	stopped  bool       // MaxIter reached
	parGrain int        // columns per parallel block when filling one row
	swaps    [][2]int32 // exchanges of one shrink, for the cache
}

func newSolver(ctx context.Context, x []float64, n, d int, k kernelFunc, cfg Config) *solver {
	// Rows are padded with zeros to a multiple of 4 values for the vector
	// kernels; the padding adds exact zeros to every dot product.
	p := (d + 3) &^ 3
	if p != d {
		xp := make([]float64, n*p)
		for i := 0; i < n; i++ {
			copy(xp[i*p:i*p+d], x[i*d:i*d+d])
		}
		x, d = xp, p
	}
	s := &solver{
		n: n, d: d, x: x, k: k,
		sq:       make([]float64, n),
		qd:       make([]float64, n),
		alpha:    make([]float64, n),
		status:   make([]int8, n),
		g:        make([]float64, n),
		gbar:     make([]float64, n),
		order:    make([]int, n),
		cache:    newRowCache(n, cfg.CacheMiB),
		tol:      cfg.Tol,
		workers:  min(cfg.Workers, n), // results do not depend on it; start allocates 8 per worker
		ctx:      ctx,
		maxIter:  cfg.MaxIter,
		progress: cfg.Progress,
	}
	for i := 0; i < n; i++ {
		xi := x[i*d : i*d+d]
		s.sq[i] = dot(xi, xi)
		s.order[i] = i
	}
	for i := 0; i < n; i++ {
		s.qd[i] = k.fromDot(s.sq[i], s.sq[i], s.sq[i])
	}
	// Below a few thousand kernel values a row is cheaper than a goroutine.
	// Blocks are whole multiples of rowBlock so that every value is computed
	// by the same kernel whatever the number of workers.
	s.parGrain = (max(1024, 8192/max(d, 1)) + rowBlock - 1) / rowBlock * rowBlock
	return s
}

// row returns Q_i with at least length values computed.
func (s *solver) row(i, length int) []float32 {
	r, start := s.cache.get(i, length)
	if start < length {
		s.fill(i, r, start, length)
	}
	return r
}

// fill computes r[lo:hi] of row i, in parallel blocks when it is long.
// Every value is computed the same way whatever the split.
func (s *solver) fill(i int, r []float32, lo, hi int) {
	if s.workers == 1 || hi-lo < 2*s.parGrain {
		s.k.fillRow(i, s.x, s.sq, s.d, r, lo, hi)
		return
	}
	_ = parallel.For(context.Background(), hi-lo, s.parGrain, s.workers, func(a, b int) {
		s.k.fillRow(i, s.x, s.sq, s.d, r, lo+a, lo+b)
	})
}

func (s *solver) setStatus(i int) {
	switch a := s.alpha[i]; {
	case a >= 1:
		s.status[i] = atUpper
	case a <= 0:
		s.status[i] = atLower
	default:
		s.status[i] = free
	}
}

// start sets libsvm's greedy α, the first ⌊νn⌋ at 1 and the next at the
// remainder, and the gradient and G̅ of that α.
func (s *solver) start(nu float64) error {
	n := s.n
	// ν·n is accumulated one row at a time, as scikit-learn's libsvm does
	// (its rows carry weights): 0.1·100 so summed is 9.99999999999998, and
	// the tenth α is then free, not bound, which changes the path.
	var total float64
	for i := 0; i < n; i++ {
		total += nu
	}
	for i := 0; i < n && total > 0; i++ {
		s.alpha[i] = min(1, total)
		total -= s.alpha[i]
	}
	for i := range s.alpha {
		s.setStatus(i)
	}
	s.active = n
	var nz []int
	for i := 0; i < n; i++ {
		if s.status[i] != atLower {
			nz = append(nz, i)
		}
	}
	// Rows are computed a chunk at a time, two rows per task (they share
	// the loads of the data), then added into the gradient in row order, so
	// the sums do not depend on the number of workers.
	chunk := 2
	if s.workers > 1 {
		chunk = 8 * s.workers
	}
	rows := make([][]float32, chunk)
	starts := make([]int, chunk)
	s.cache.hold = rows
	defer func() { s.cache.hold = nil }()
	for c0 := 0; c0 < len(nz); c0 += chunk {
		if err := s.ctx.Err(); err != nil {
			return err
		}
		c1 := min(c0+chunk, len(nz))
		clear(rows)
		for t := c0; t < c1; t++ {
			rows[t-c0], starts[t-c0] = s.cache.get(nz[t], n)
		}
		compute := func(a, b int) {
			for p := a; p < b; p++ {
				t0, t1 := 2*p, 2*p+1
				if t1 < c1-c0 && starts[t0] == starts[t1] && starts[t0] < n {
					s.k.fillRow2(nz[c0+t0], nz[c0+t1], s.x, s.sq, s.d, rows[t0], rows[t1], starts[t0], n)
					continue
				}
				for t := t0; t <= t1 && t < c1-c0; t++ {
					if st := starts[t]; st < n {
						s.k.fillRow(nz[c0+t], s.x, s.sq, s.d, rows[t], st, n)
					}
				}
			}
		}
		pairs := (c1 - c0 + 1) / 2
		if s.workers == 1 {
			compute(0, pairs)
		} else {
			_ = parallel.For(context.Background(), pairs, 1, s.workers, compute)
		}
		for t := c0; t < c1; t++ {
			i := nz[t]
			r := rows[t-c0][:n]
			a := s.alpha[i]
			g := s.g[:n]
			for j, q := range r {
				g[j] += a * float64(q)
			}
			if s.status[i] == atUpper {
				gb := s.gbar[:n]
				for j, q := range r {
					gb[j] += float64(q)
				}
			}
		}
	}
	return nil
}

// selectPair is WSS 3 of Fan, Chen and Lin: i maximises −G over the rows
// that may grow, j minimises the second-order decrease −(Gmax + Gⱼ)²/aᵢⱼ
// over the rows that may shrink. ok is false at optimality, when the
// maximal violating pair gap is below tol.
func (s *solver) selectPair() (i, j int, ok bool) {
	gmax, gmax2 := math.Inf(-1), math.Inf(-1)
	i, j = -1, -1
	g := s.g[:s.active]
	st := s.status[:s.active]
	for t, v := range g {
		if st[t] != atUpper && -v >= gmax {
			gmax, i = -v, t
		}
	}
	var qi []float32
	if i >= 0 {
		qi = s.row(i, s.active)[:s.active]
	}
	best := math.Inf(1)
	qd := s.qd[:s.active]
	for t, v := range g {
		if st[t] == atLower {
			continue
		}
		if v >= gmax2 {
			gmax2 = v
		}
		diff := gmax + v
		if diff > 0 {
			quad := s.qd[i] + qd[t] - 2*float64(qi[t])
			if quad <= 0 {
				quad = tau
			}
			if obj := -diff * diff / quad; obj <= best {
				best, j = obj, t
			}
		}
	}
	s.gap = gmax + gmax2
	if s.gap < s.tol || j < 0 {
		return -1, -1, false
	}
	return i, j, true
}

// step solves the two-variable subproblem on (i, j) and updates G and G̅.
func (s *solver) step(i, j int) {
	qi := s.row(i, s.active)
	qj := s.row(j, s.active)
	ai, aj := s.alpha[i], s.alpha[j]
	quad := s.qd[i] + s.qd[j] - 2*float64(qi[j])
	if quad <= 0 {
		quad = tau
	}
	delta := (s.g[i] - s.g[j]) / quad
	sum := ai + aj
	ni, nj := ai-delta, aj+delta
	if sum > 1 {
		if ni > 1 {
			ni, nj = 1, sum-1
		}
	} else if nj < 0 {
		nj, ni = 0, sum
	}
	if sum > 1 {
		if nj > 1 {
			nj, ni = 1, sum-1
		}
	} else if ni < 0 {
		ni, nj = 0, sum
	}
	s.alpha[i], s.alpha[j] = ni, nj
	di, dj := ni-ai, nj-aj
	g := s.g[:s.active]
	ri, rj := qi[:len(g)], qj[:len(g)]
	for t := range g {
		g[t] += float64(ri[t])*di + float64(rj[t])*dj
	}
	ui, uj := s.status[i] == atUpper, s.status[j] == atUpper
	s.setStatus(i)
	s.setStatus(j)
	if ui != (s.status[i] == atUpper) {
		s.addGbar(i, ui)
	}
	if uj != (s.status[j] == atUpper) {
		s.addGbar(j, uj)
	}
}

// addGbar adds row i into G̅ (or removes it when wasUpper).
func (s *solver) addGbar(i int, wasUpper bool) {
	r := s.row(i, s.n)[:s.n]
	gb := s.gbar[:s.n]
	if wasUpper {
		for t, q := range r {
			gb[t] -= float64(q)
		}
	} else {
		for t, q := range r {
			gb[t] += float64(q)
		}
	}
}

// reconstruct recomputes the gradient of the inactive rows from G̅ and the
// free rows, whichever way needs fewer kernel values.
func (s *solver) reconstruct() {
	n, a := s.n, s.active
	if a == n {
		return
	}
	for t := a; t < n; t++ {
		s.g[t] = s.gbar[t]
	}
	nfree := 0
	for t := 0; t < a; t++ {
		if s.status[t] == free {
			nfree++
		}
	}
	if nfree*n > 2*a*(n-a) {
		for t := a; t < n; t++ {
			r := s.row(t, a)[:a]
			sum := s.g[t]
			for u, q := range r {
				if s.status[u] == free {
					sum += s.alpha[u] * float64(q)
				}
			}
			s.g[t] = sum
		}
	} else {
		for u := 0; u < a; u++ {
			if s.status[u] != free {
				continue
			}
			r := s.row(u, n)[a:n]
			au := s.alpha[u]
			g := s.g[a:n]
			for t, q := range r {
				g[t] += au * float64(q)
			}
		}
	}
}

func (s *solver) shrinkable(t int, gmax1, gmax2 float64) bool {
	switch s.status[t] {
	case atUpper:
		return -s.g[t] > gmax1
	case atLower:
		return s.g[t] > gmax2
	}
	return false
}

// shrink moves rows that are bound and unlikely to move out of the active
// set; once the gap is within 10·tol, everything comes back once.
func (s *solver) shrink() {
	gmax1, gmax2 := math.Inf(-1), math.Inf(-1)
	for t := 0; t < s.active; t++ {
		if s.status[t] != atUpper && -s.g[t] >= gmax1 {
			gmax1 = -s.g[t]
		}
		if s.status[t] != atLower && s.g[t] >= gmax2 {
			gmax2 = s.g[t]
		}
	}
	if !s.unshrink && gmax1+gmax2 <= 10*s.tol {
		s.unshrink = true
		s.reconstruct()
		s.active = s.n
	}
	for t := 0; t < s.active; t++ {
		if !s.shrinkable(t, gmax1, gmax2) {
			continue
		}
		s.active--
		for s.active > t {
			if !s.shrinkable(s.active, gmax1, gmax2) {
				s.swapData(t, s.active)
				s.swaps = append(s.swaps, [2]int32{int32(t), int32(s.active)})
				break
			}
			s.active--
		}
	}
	// The cached rows take all the exchanges in one pass each, instead of
	// every exchange touching every row.
	s.cache.swapMany(s.swaps)
	s.swaps = s.swaps[:0]
}

func (s *solver) swapData(i, j int) {
	d := s.d
	xi, xj := s.x[i*d:i*d+d], s.x[j*d:j*d+d]
	for t := range xi {
		xi[t], xj[t] = xj[t], xi[t]
	}
	s.sq[i], s.sq[j] = s.sq[j], s.sq[i]
	s.qd[i], s.qd[j] = s.qd[j], s.qd[i]
	s.alpha[i], s.alpha[j] = s.alpha[j], s.alpha[i]
	s.status[i], s.status[j] = s.status[j], s.status[i]
	s.g[i], s.g[j] = s.g[j], s.g[i]
	s.gbar[i], s.gbar[j] = s.gbar[j], s.gbar[i]
	s.order[i], s.order[j] = s.order[j], s.order[i]
}

// objective is ½αᵀQα over the active rows.
func (s *solver) objective() float64 {
	var v float64
	for t := 0; t < s.active; t++ {
		v += s.alpha[t] * s.g[t]
	}
	return v / 2
}

func (s *solver) report() {
	if s.progress != nil {
		s.progress(Progress{Iteration: s.iter, Objective: s.objective(), Gap: s.gap})
	}
}

// solve runs SMO from the greedy start to the stopping rule (or MaxIter).
func (s *solver) solve(nu float64) error {
	if err := s.start(nu); err != nil {
		return err
	}
	period := min(s.n, 1000)
	counter := period + 1
	for s.maxIter == 0 || s.iter < s.maxIter {
		counter--
		if counter == 0 {
			counter = period
			s.shrink()
			if err := s.ctx.Err(); err != nil {
				return err
			}
			s.report()
		}
		// An iteration costs O(n), so checking every 16 bounds the latency
		// of a cancellation by a few dozen rows' work.
		if s.iter&15 == 0 {
			if err := s.ctx.Err(); err != nil {
				return err
			}
		}
		i, j, ok := s.selectPair()
		if !ok {
			s.reconstruct()
			s.active = s.n
			i, j, ok = s.selectPair()
			if !ok {
				break
			}
			counter = 1
		}
		s.iter++
		s.step(i, j)
	}
	if s.maxIter > 0 && s.iter >= s.maxIter {
		s.reconstruct()
		s.active = s.n
		// Stopped by the limit unless the final α happens to be optimal;
		// either way the gap is that of the final α over every row.
		_, _, s.stopped = s.selectPair()
	}
	if err := s.ctx.Err(); err != nil {
		return err
	}
	s.report()
	return nil
}

// rho is the offset: the mean gradient of the free rows or, when none is
// free, the midpoint of the interval the bound rows allow. When every row
// is at the upper bound (ν = 1) that interval is unbounded above and
// libsvm returns +Inf; the least value, the largest gradient, is used here.
func (s *solver) rho() float64 {
	ub, lb := math.Inf(1), math.Inf(-1)
	var sum float64
	nfree := 0
	for t := 0; t < s.active; t++ {
		v := s.g[t]
		switch s.status[t] {
		case atUpper:
			lb = max(lb, v)
		case atLower:
			ub = min(ub, v)
		default:
			nfree++
			sum += v
		}
	}
	switch {
	case nfree > 0:
		return sum / float64(nfree)
	case math.IsInf(ub, 1):
		return lb
	}
	return (ub + lb) / 2
}
