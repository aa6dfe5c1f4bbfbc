package neighbors

import (
	"context"
	"sync"

	"github.com/vigil-ml/vigil/internal/parallel"
)

// trainSym is the brute-force Train. d(x, y) = d(y, x), so each block of
// dot products between row blocks A ≤ B serves twice: its rows screen B's
// points as candidates for A's queries and its columns screen A's points for
// B's. That halves the kernel work. Tasks run in parallel and may update the
// same heaps, so a block's heaps are updated under its lock; since the
// screen is conservative against whatever bound a heap has reached, every
// true neighbour is pushed in any order, and the final heaps, hence the
// results, do not depend on scheduling.
func (b *brute) trainSym(ctx context.Context, k, workers int, dist []float64, idx []int32) error {
	n, d := b.n, b.d
	// Block rows: a multiple of the 48-row query block and of the 8-row
	// panel, about the reference block size.
	R := max(queryBlock, (8*b.blockPanels())/queryBlock*queryBlock)
	nb := (n + R - 1) / R
	d2s := make([]float64, n*k)
	ids := make([]int32, n*k)
	hs := make([]heap, n)
	for i := range hs {
		hs[i] = heap{d2: d2s[i*k : (i+1)*k : (i+1)*k], idx: ids[i*k : (i+1)*k : (i+1)*k]}
	}
	locks := make([]sync.Mutex, nb)
	type task struct{ a, b int }
	// Diagonal first, then outwards: in tree order the nearest blocks
	// come first and give the heaps tight bounds early.
	tasks := make([]task, 0, nb*(nb+1)/2)
	for off := 0; off < nb; off++ {
		for a := 0; a+off < nb; a++ {
			tasks = append(tasks, task{a, a + off})
		}
	}
	pool := sync.Pool{New: func() any {
		return &symScratch{qk: make([]float64, queryBlock*d), g: make([]float64, queryBlock*R), tc: make([]float64, R)}
	}}
	err := parallel.For(ctx, len(tasks), 1, workers, func(lo, hi int) {
		s := pool.Get().(*symScratch)
		for _, t := range tasks[lo:hi] {
			b.symBlock(t.a*R, min(n, (t.a+1)*R), t.b*R, min(n, (t.b+1)*R), hs, &locks[t.a], &locks[t.b], s)
		}
		pool.Put(s)
	})
	if err != nil {
		return err
	}
	return parallel.For(ctx, n, 1024, workers, func(lo, hi int) {
		for p := lo; p < hi; p++ {
			i := int(b.perm[p])
			hs[p].drain(dist[i*k:(i+1)*k], idx[i*k:(i+1)*k])
		}
	})
}

type symScratch struct {
	qk []float64
	g  []float64
	tc []float64
}

// symBlock screens the pairs of rows [a0, a1) × [b0, b1) (a0 ≤ b0; the
// blocks coincide or are disjoint, and start on a panel boundary).
func (b *brute) symBlock(a0, a1, b0, b1 int, hs []heap, la, lb *sync.Mutex, s *symScratch) {
	d := b.d
	same := a0 == b0
	p0, np := b0/8, (b1-b0+7)/8
	ldg := 8 * np
	nr := b1 - b0
	for s0 := a0; s0 < a1; s0 += queryBlock {
		m := min(queryBlock, a1-s0)
		groups := (m + 5) / 6
		qk := s.qk[:groups*6*d]
		clear(qk)
		for i := 0; i < m; i++ {
			row := s0 + i
			pan := b.pk[8*d*(row/8)+row%8:]
			g, r := i/6, i%6
			for j := 0; j < d; j++ {
				// Scaling by −2 is exact: the kernel yields −2x·y.
				qk[6*d*g+6*j+r] = -2 * pan[8*j]
			}
		}
		if b.rt != nil {
			b.dotsBLAS(qk, m, 6, p0, np, s.g, ldg)
		} else {
			for g := 0; g < groups; g++ {
				gemm6x8(qk[6*d*g:6*d*(g+1)], b.pk[8*d*p0:8*d*(p0+np)], d, np, s.g[6*ldg*g:], ldg)
			}
		}
		rn := b.rn[b0 : b0+nr]
		la.Lock()
		for i := 0; i < m; i++ {
			qi := s0 + i
			h := &hs[qi]
			x := b.raw[qi*d : qi*d+d]
			bnd := h.bound()
			t := bnd - b.rn[qi]
			row := s.g[i*ldg : i*ldg+nr]
			for j := firstRow(row, rn, t, 0); j < nr; j = firstRow(row, rn, t, j+1) {
				rj := b0 + j
				if rj == qi {
					continue
				}
				d2 := dist2(x, b.raw[rj*d:rj*d+d])
				if d2 <= bnd {
					h.push(d2, b.perm[rj])
					bnd = h.bound()
					t = bnd - b.rn[qi]
				}
			}
		}
		la.Unlock()
		if same {
			continue
		}
		// The columns: B's points as queries, this sub-block's as
		// candidates.
		lb.Lock()
		// Thresholds per column first, so the block is read row by row.
		tc := s.tc[:nr]
		for j := range tc {
			qj := b0 + j
			tc[j] = hs[qj].bound() - b.rn[qj]
		}
		for i := 0; i < m; i++ {
			ri := s0 + i
			ni := b.rn[ri]
			row := s.g[i*ldg : i*ldg+nr]
			for j := firstCol(row, tc, ni, 0); j < nr; j = firstCol(row, tc, ni, j+1) {
				qj := b0 + j
				h := &hs[qj]
				bnd := h.bound()
				d2 := dist2(b.raw[qj*d:qj*d+d], b.raw[ri*d:ri*d+d])
				if d2 <= bnd {
					h.push(d2, b.perm[ri])
					tc[j] = h.bound() - b.rn[qj]
				}
			}
		}
		lb.Unlock()
	}
}
