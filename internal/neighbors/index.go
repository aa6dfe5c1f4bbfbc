package neighbors

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync/atomic"
	"time"

	"github.com/vigil-ml/vigil/internal/parallel"
)

// Method selects the search structure.
type Method int

const (
	// Auto picks by the data; see the package doc.
	Auto Method = iota
	// Tree is the k-d tree.
	Tree
	// Brute is the blocked, screened exhaustive search.
	Brute
)

func (m Method) String() string {
	switch m {
	case Tree:
		return "tree"
	case Brute:
		return "brute"
	}
	return "auto"
}

// Index answers exact k-nearest-neighbour queries against a fixed set of
// points. It is immutable once built and safe for concurrent use.
type Index struct {
	n, d   int
	data   []float64
	method Method
	tree   *kdTree
	brute  *brute
}

// New indexes the n rows of width d in data (row-major, not copied: the
// caller must not modify it afterwards).
func New(data []float64, n, d int, method Method) *Index {
	ix, _ := NewContext(context.Background(), data, n, d, method)
	return ix
}

// NewContext is New that stops building, returning ctx.Err(), once ctx is
// cancelled: the tree of a large set takes a second or more to build.
func NewContext(ctx context.Context, data []float64, n, d int, method Method) (*Index, error) {
	ix := &Index{n: n, d: d, data: data}
	if method == Auto {
		method, ix.tree, ix.brute = choose(ctx, data, n, d)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	ix.method = method
	if method == Tree {
		if ix.tree == nil {
			ix.tree = newKDTreeContext(ctx, data, n, d)
		}
	} else if ix.brute == nil {
		t := newKDTreeContext(ctx, data, n, d)
		if !t.stopped {
			ix.brute = newBruteOrdered(data, n, d, t.perm)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return ix, nil
}

// Method reports the structure in use (never Auto).
func (ix *Index) Method() Method { return ix.method }

// Len is the number of indexed points.
func (ix *Index) Len() int { return ix.n }

// Dim is the width of the points.
func (ix *Index) Dim() int { return ix.d }

// Data returns the indexed rows; the caller must not modify them.
func (ix *Index) Data() []float64 { return ix.data }

// treeMaxDim is the widest data the k-d tree is tried on under Auto.
const treeMaxDim = 32

// probeQueries is the number of training points whose tree search Auto
// measures before committing to the tree.
const probeQueries = 64

// choose builds the tree on narrow data and keeps it when it predicts the
// tree's Train to be faster than brute force's. Both predictions come from
// a probe of the actual data: the tree search of probeQueries training
// points spread over the set, and brute force's screened search of one
// block of them against all rows. Small sets, where a wrong choice costs
// little, are decided by counts (points the tree scanned against pairs brute
// force screens) weighed with costs measured once on the development
// machine. Where either method could take more than calibrateNs, the two
// probes are timed instead, on this machine (the faster of two trials of
// each, which discounts a trial slowed by other work), so that the choice
// follows this machine's speeds rather than another's constants. Timing
// makes the choice, never the results, machine-dependent: both methods
// return bit-identical neighbours.
func choose(ctx context.Context, data []float64, n, d int) (Method, *kdTree, *brute) {
	if d > treeMaxDim {
		return Brute, nil, nil
	}
	t := newKDTreeContext(ctx, data, n, d)
	if t.stopped {
		return Tree, nil, nil // the caller sees ctx.Err()
	}
	if n <= 4*probeQueries {
		return Tree, t, nil
	}
	k := min(probeK, n-1)
	h := newHeap(k)
	off := make([]float64, d)
	step := n / probeQueries
	for i := 0; i < n; i += step {
		h.reset(k)
		t.search(data[i*d:i*d+d], int32(i), h, 0, 0, off)
	}
	queries := (n + step - 1) / step
	perQuery := float64(h.scanned) / float64(queries)
	treeNs := float64(n) * perQuery * treeCost(d)
	bruteNs := float64(n) * float64(n) * bruteCost(d)
	if max(treeNs, bruteNs) <= calibrateNs {
		if treeNs < bruteNs {
			return Tree, t, nil
		}
		return Brute, nil, newBruteOrdered(data, n, d, t.perm)
	}
	b := newBruteOrdered(data, n, d, t.perm)
	treeNs, bruteNs = calibrate(data, n, d, k, t, b)
	if treeNs < bruteNs {
		return Tree, t, nil
	}
	return Brute, nil, b
}

// calibrate times both methods on this machine, on this data, and returns
// their predicted Train times for all n points in nanoseconds. The tree
// runs its seeded Train loop over calibrateRuns runs of consecutive
// tree-order points spread over the set; brute force screens one block of
// those points against all rows, its heaps holding their true neighbours
// already, as the symmetric Train's heaps nearly do after its first,
// diagonal blocks. Each is the faster of two trials.
func calibrate(data []float64, n, d, k int, t *kdTree, b *brute) (treeNs, bruteNs float64) {
	const run = queryBlock / calibrateRuns
	h := newHeap(k)
	h.mark = make([]uint32, n)
	off := make([]float64, d)
	prev := make([]int32, k)
	dist := make([]float64, queryBlock*k)
	idx := make([]int32, queryBlock*k)
	q := make([]float64, queryBlock*d)
	self := make([]int32, queryBlock)
	hs := make([]heap, queryBlock)
	for i := range hs {
		hs[i] = *newHeap(k)
	}
	s := b.newScratch(queryBlock)
	treeT, bruteT := time.Duration(math.MaxInt64), time.Duration(math.MaxInt64)
	var c clock
	for trial := 0; trial < 2; trial++ {
		c.start()
		for j := 0; j < calibrateRuns; j++ {
			lo := j * (n - run) / calibrateRuns
			t.trainRun(data, lo, lo+run, k, h, off, prev, dist[j*run*k:], idx[j*run*k:], true)
		}
		treeT = min(treeT, c.stop())
		for i := range hs {
			j, r := i/run, i%run
			lo := j * (n - run) / calibrateRuns
			copy(q[i*d:(i+1)*d], t.pts[(lo+r)*d:(lo+r+1)*d])
			self[i] = t.perm[lo+r]
			hs[i].reset(k)
			for u := 0; u < k; u++ {
				hs[i].push(dist[i*k+u]*dist[i*k+u], idx[i*k+u])
			}
		}
		c.start()
		b.searchBlock(q, queryBlock, self, hs, s)
		bruteT = min(bruteT, c.stop())
	}
	treeNs = float64(n) * float64(treeT.Nanoseconds()) / queryBlock
	// A pair of the symmetric Train costs symPairShare(d) pairs of this
	// one-sided search.
	bruteNs = float64(n) * float64(n) * symPairShare(d) * float64(bruteT.Nanoseconds()) / float64(queryBlock*n)
	return treeNs, bruteNs
}

const (
	// probeK is the neighbour count the chooser plans for: the index is
	// built before K is known, and 20 is LOF's default.
	probeK = 20
	// calibrateNs is the predicted Train time above which the chooser
	// times the probes instead of trusting the cost model: about 20 ms,
	// so that the milliseconds of timing are never a large share.
	calibrateNs = 20e6
	// calibrateRuns is the number of runs of training points timed.
	calibrateRuns = 4
)

// symPairShare is the cost of a pair in brute force's symmetric Train
// relative to a pair of the calibration's one-sided search with full heaps:
// half the kernel work, but the screening of both sides and the exact
// distances and heap updates of a Train whose heaps are still filling,
// which weigh most at small d. It is a ratio of two runs of the same
// kernels (measured at d = 4, 10 and 16 on 19,020 rows), so it carries over
// between machines far better than either run's speed.
func symPairShare(d int) float64 { return max(0.9, 2.2-0.08*float64(d)) }

// treeCost and bruteCost are the costs, in nanoseconds, of one point
// scanned by the tree and of one pair screened by brute force, measured on
// the development machine; only small sets are decided by them.
func treeCost(d int) float64  { return 12 + float64(d) }
func bruteCost(d int) float64 { return 0.8 + 0.022*float64(d) }

// Train returns, for every indexed point, its k nearest other points:
// dist[i*k+j] and idx[i*k+j] for the j-th neighbour of point i, ascending
// by distance and then by index. A point is never its own neighbour, but its
// duplicates are (at distance 0). It requires 1 ≤ k < Len().
func (ix *Index) Train(ctx context.Context, k, workers int) (dist []float64, idx []int32, err error) {
	dist = make([]float64, ix.n*k)
	idx = make([]int32, ix.n*k)
	d := ix.d
	if ix.tree != nil {
		t := ix.tree
		// One seed-mark array per running worker, not per block: the
		// stamps keep counting across the blocks a worker takes, so the
		// array is never cleared, and the total allocation stays
		// workers × n instead of n²/256.
		free := make(chan *seedMarks, min(parallel.Workers(workers), (ix.n+255)/256))
		err = parallel.For(ctx, ix.n, 256, workers, func(lo, hi int) {
			var sm *seedMarks
			select {
			case sm = <-free:
			default:
				sm = &seedMarks{mark: make([]uint32, ix.n)}
			}
			h := newHeap(k)
			h.mark, h.stamp = sm.mark, sm.stamp
			t.trainRun(ix.data, lo, hi, k, h, make([]float64, d), make([]int32, k), dist, idx, false)
			sm.stamp = h.stamp
			free <- sm
		})
	} else {
		err = ix.brute.trainSym(ctx, k, workers, dist, idx)
	}
	if err != nil {
		return nil, nil, err
	}
	return dist, idx, nil
}

// trainRun finds the k nearest other points of the tree-order points
// [lo, hi) into dist and idx, at the points' original index, or at r−lo
// when local. Queries go in tree order, so each is close to the one before:
// seeding the heap with the previous neighbours gives a tight bound before
// the first node is visited. h must have a mark array of n entries.
func (t *kdTree) trainRun(data []float64, lo, hi, k int, h *heap, off []float64, prev []int32, dist []float64, idx []int32, local bool) {
	d := t.d
	for r := lo; r < hi; r++ {
		self := t.perm[r]
		q := t.pts[r*d : r*d+d]
		h.reset(k)
		h.stamp++
		if r > lo {
			for _, j := range prev {
				if j != self {
					h.push(dist2(q, data[int(j)*d:int(j)*d+d]), j)
					h.mark[j] = h.stamp
				}
			}
			// The previous query itself is a natural seed too.
			if p := t.perm[r-1]; h.mark[p] != h.stamp {
				h.push(dist2(q, t.pts[(r-1)*d:r*d]), p)
				h.mark[p] = h.stamp
			}
		}
		t.search(q, self, h, 0, 0, off)
		i := int(self)
		if local {
			i = r - lo
		}
		h.drain(dist[i*k:(i+1)*k], idx[i*k:(i+1)*k])
		copy(prev, idx[i*k:(i+1)*k])
	}
}

// seedMarks is the mark array of a worker's training searches with the last
// stamp it used.
type seedMarks struct {
	mark  []uint32
	stamp uint32
}

// Query finds the k nearest indexed points of each of the m rows of q
// (width Dim), into dist and idx (m×k each), as Train does but without
// excluding anything. It requires 1 ≤ k ≤ Len() and query values within
// ±check.MaxDistanceValue; a search that still finds fewer than k points
// (which those bounds rule out) is reported as ErrIncomplete rather than
// leaving another query's neighbours in dist and idx.
func (ix *Index) Query(ctx context.Context, q []float64, m, k, workers int, dist []float64, idx []int32) error {
	d := ix.d
	var short atomic.Int64
	short.Store(-1)
	fail := func(r int) { short.CompareAndSwap(-1, int64(r)) }
	var err error
	if ix.tree != nil {
		t := ix.tree
		err = parallel.For(ctx, m, 256, workers, func(lo, hi int) {
			h := newHeap(k)
			off := make([]float64, d)
			for r := lo; r < hi; r++ {
				x := q[r*d : r*d+d]
				h.reset(k)
				t.search(x, -1, h, 0, 0, off)
				if !h.full() {
					fail(r)
					return
				}
				h.drain(dist[r*k:(r+1)*k], idx[r*k:(r+1)*k])
			}
		})
	} else {
		b := ix.brute
		// Scratch and heaps are made once per chunk of eight query blocks.
		err = parallel.For(ctx, m, 8*queryBlock, workers, func(lo, hi int) {
			s := b.newScratch(queryBlock)
			hs := make([]heap, queryBlock)
			for i := range hs {
				hs[i] = *newHeap(k)
			}
			for s0 := lo; s0 < hi; s0 += queryBlock {
				n := min(queryBlock, hi-s0)
				for i := 0; i < n; i++ {
					hs[i].reset(k)
				}
				b.searchBlock(q[s0*d:(s0+n)*d], n, nil, hs[:n], s)
				for i := 0; i < n; i++ {
					r := s0 + i
					if !hs[i].full() {
						fail(r)
						return
					}
					hs[i].drain(dist[r*k:(r+1)*k], idx[r*k:(r+1)*k])
				}
			}
		})
	}
	if err != nil {
		return err
	}
	if r := short.Load(); r >= 0 {
		return &IncompleteError{Row: int(r)}
	}
	return nil
}

// ErrIncomplete is the kind of IncompleteError.
var ErrIncomplete = errors.New("neighbour search found fewer than k points")

// IncompleteError reports a query for which a search found fewer than k
// neighbours. The input bounds make it impossible; it exists so that a
// broken invariant surfaces as an error, never as another query's result.
type IncompleteError struct{ Row int }

func (e *IncompleteError) Error() string {
	return fmt.Sprintf("row %d: %v", e.Row, ErrIncomplete)
}

func (e *IncompleteError) Unwrap() error { return ErrIncomplete }

// Scratch is the working memory of one Search; keep one per goroutine (a
// sync.Pool works) to make Search allocation-free.
type Scratch struct {
	h   []heap // one heap, as a slice for the block search
	b   *bruteScratch
	off []float64
}

// NewScratch returns scratch space for searches of k neighbours.
func (ix *Index) NewScratch(k int) *Scratch {
	s := &Scratch{h: []heap{*newHeap(k)}, off: make([]float64, ix.d)}
	if ix.brute != nil {
		s.b = ix.brute.newScratch(1)
	}
	return s
}

// Search finds the k nearest indexed points of the single point x into dist
// and idx (length k each). It does not allocate. Like Query it reports
// ErrIncomplete, and leaves dist and idx untouched, if fewer than k points
// were found.
func (ix *Index) Search(x []float64, s *Scratch, dist []float64, idx []int32) error {
	k := len(dist)
	h := &s.h[0]
	h.reset(k)
	if ix.tree != nil {
		ix.tree.search(x, -1, h, 0, 0, s.off)
	} else {
		ix.brute.searchBlock(x, 1, nil, s.h, s.b)
	}
	if !h.full() {
		return ErrIncomplete
	}
	h.drain(dist, idx)
	return nil
}

func newHeap(k int) *heap {
	return &heap{d2: make([]float64, k), idx: make([]int32, k)}
}
