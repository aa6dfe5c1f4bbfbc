package autoencoder

import (
	"math"
	"unsafe"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// float is the precision a network computes in: float32 by default, float64
// on request (Config.Float64).
type float interface{ ~float32 | ~float64 }

// impl is gonum's native BLAS, used directly rather than through blas64 so
// that a program which registers another implementation cannot change the
// arithmetic: the guarantees below rest on how gonum's kernels accumulate.
// Each row of C = A·B is summed from that row of A alone, in the same order
// whatever the number of rows, so a sample scored alone (Score) and in a
// block (ScoreBatch) gives the same bits.
var impl gonum.Implementation

func is32[T float]() bool {
	var z T
	return unsafe.Sizeof(z) == 4
}

// f32 and f64 view a []T as the slice type it is; only the one matching T
// is ever called.
func f32[T float](s []T) []float32 {
	return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
}

func f64[T float](s []T) []float64 {
	return unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
}

// gemmBlock is gonum's gemm block size. gonum runs a product on several
// goroutines once it spans four or more 64×64 blocks of C; gemm keeps every
// call below that so that Workers alone decides the goroutines in use.
const gemmBlock = 64

// gemm is C = alpha·op(A)·op(B) + beta·C for row-major A, B and C, where C
// is m×n and the inner dimension is k, split into serial pieces.
func gemm[T float](tA, tB blas.Transpose, m, n, k int, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	const rows, cols = gemmBlock, 3 * gemmBlock
	if blocks(m)*blocks(n) < 4 {
		gemm1(tA, tB, m, n, k, a, lda, b, ldb, beta, c, ldc)
		return
	}
	for i0 := 0; i0 < m; i0 += rows {
		mi := min(rows, m-i0)
		var ai []T
		if tA == blas.Trans {
			ai = a[i0:]
		} else {
			ai = a[i0*lda:]
		}
		for j0 := 0; j0 < n; j0 += cols {
			nj := min(cols, n-j0)
			var bj []T
			if tB == blas.Trans {
				bj = b[j0*ldb:]
			} else {
				bj = b[j0:]
			}
			gemm1(tA, tB, mi, nj, k, ai, lda, bj, ldb, beta, c[i0*ldc+j0:], ldc)
		}
	}
}

func gemm1[T float](tA, tB blas.Transpose, m, n, k int, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if is32[T]() {
		impl.Sgemm(tA, tB, m, n, k, 1, f32(a), lda, f32(b), ldb, float32(beta), f32(c), ldc)
	} else {
		impl.Dgemm(tA, tB, m, n, k, 1, f64(a), lda, f64(b), ldb, float64(beta), f64(c), ldc)
	}
}

// colSums sets dst to the sums of the columns of the r×n row-major a, using
// ones (at least r ones).
func colSums[T float](r, n int, a, ones, dst []T) {
	if is32[T]() {
		impl.Sgemv(blas.Trans, r, n, 1, f32(a), n, f32(ones), 1, 0, f32(dst), 1)
	} else {
		impl.Dgemv(blas.Trans, r, n, 1, f64(a), n, f64(ones), 1, 0, f64(dst), 1)
	}
}

// axpy is y += x.
func axpy[T float](x, y []T) {
	if is32[T]() {
		impl.Saxpy(len(x), 1, f32(x), 1, f32(y), 1)
	} else {
		impl.Daxpy(len(x), 1, f64(x), 1, f64(y), 1)
	}
}

func blocks(n int) int { return (n + gemmBlock - 1) / gemmBlock }

// layout places the weights and biases of every layer in one flat vector:
// layer l maps sizes[l] inputs to sizes[l+1] outputs with a weight matrix
// followed by its sizes[l+1] biases. A widening layer stores W row-major as
// in×out (a row block A gives A·W); a narrowing layer stores Wᵀ, out×in
// (A·Wᵀ), so that the innermost loops of gonum's kernels run along the
// wider side.
type layout struct {
	sizes []int  // d, hidden..., d
	w, b  []int  // offsets of each layer's weights and biases
	tr    []bool // weights stored out×in
	n     int    // parameters in all
}

func newLayout(d int, hidden []int) layout {
	sizes := make([]int, 0, len(hidden)+2)
	sizes = append(sizes, d)
	sizes = append(sizes, hidden...)
	sizes = append(sizes, d)
	l := layout{sizes: sizes}
	for i := 0; i+1 < len(sizes); i++ {
		l.w = append(l.w, l.n)
		l.tr = append(l.tr, sizes[i] > sizes[i+1])
		l.n += sizes[i] * sizes[i+1]
		l.b = append(l.b, l.n)
		l.n += sizes[i+1]
	}
	return l
}

func (l *layout) layers() int { return len(l.sizes) - 1 }

// code is the index (into sizes) of the narrowest hidden layer, the first
// of equals: the bottleneck that Encode returns.
func (l *layout) code() int {
	best := 1
	for i := 2; i < len(l.sizes)-1; i++ {
		if l.sizes[i] < l.sizes[best] {
			best = i
		}
	}
	return best
}

// activate applies f to z in place.
func activate[T float](f Activation, z []T) {
	switch f {
	case ReLU:
		if is32[T]() {
			relu32(f32(z))
		} else {
			relu64(f64(z))
		}
	case Tanh:
		for i, v := range z {
			z[i] = T(math.Tanh(float64(v)))
		}
	case Sigmoid:
		for i, v := range z {
			z[i] = T(sigmoid(float64(v)))
		}
	}
}

func sigmoid(v float64) float64 {
	// Split by sign so that exp never overflows.
	if v >= 0 {
		return 1 / (1 + math.Exp(-v))
	}
	e := math.Exp(v)
	return e / (1 + e)
}

// backActivate multiplies the gradient g by f′, given the activation's
// output h, in place.
func backActivate[T float](f Activation, g, h []T) {
	h = h[:len(g)]
	switch f {
	case ReLU:
		if is32[T]() {
			reluGrad32(f32(g), f32(h))
		} else {
			reluGrad64(f64(g), f64(h))
		}
	case Tanh:
		for i, v := range h {
			g[i] *= 1 - v*v
		}
	case Sigmoid:
		for i, v := range h {
			g[i] *= v * (1 - v)
		}
	}
}

// ReLU and its gradient work on the bits, without branches: the sign of a
// pre-activation is a coin toss, and a branch on it would be mispredicted
// half the time.

func relu32(z []float32) {
	for i, v := range z {
		b := math.Float32bits(v)
		z[i] = math.Float32frombits(b &^ uint32(int32(b)>>31))
	}
}

func relu64(z []float64) {
	for i, v := range z {
		b := math.Float64bits(v)
		z[i] = math.Float64frombits(b &^ uint64(int64(b)>>63))
	}
}

// reluGrad32 zeroes g where the ReLU output h is 0; h is never negative,
// so a zero output is the zero bit pattern.
func reluGrad32(g, h []float32) {
	h = h[:len(g)]
	for i, v := range h {
		b := math.Float32bits(v)
		mask := uint32(int32(-b) >> 31) // all ones unless b == 0
		g[i] = math.Float32frombits(math.Float32bits(g[i]) & mask)
	}
}

func reluGrad64(g, h []float64) {
	h = h[:len(g)]
	for i, v := range h {
		b := math.Float64bits(v)
		mask := uint64(int64(-b) >> 63)
		g[i] = math.Float64frombits(math.Float64bits(g[i]) & mask)
	}
}

// work is the scratch of one forward and backward pass over up to rows
// samples: a training shard or a scoring block. It is owned by one
// goroutine at a time.
type work[T float] struct {
	rows  int
	x     []T   // rows×d standardised input
	h     [][]T // per layer: its output (post-activation, before dropout)
	a     [][]T // per hidden layer: the output after dropout (h itself without)
	mask  [][]T // per hidden layer with dropout: 0 or 1/(1−p)
	delta [][]T // per layer: ∂loss/∂(pre-activation)
	grad  []T   // ∂loss/∂params, layout order
	ones  []T   // rows ones, to sum δ over rows with gemv
	sse   float64
}

func newWork[T float](l *layout, rows int, train, dropout bool) *work[T] {
	L := l.layers()
	w := &work[T]{rows: rows, x: make([]T, rows*l.sizes[0]), h: make([][]T, L+1), a: make([][]T, L+1)}
	for i := 1; i <= L; i++ {
		w.h[i] = make([]T, rows*l.sizes[i])
		w.a[i] = w.h[i]
	}
	if !train {
		return w
	}
	w.delta = make([][]T, L+1)
	for i := 1; i <= L; i++ {
		w.delta[i] = make([]T, rows*l.sizes[i])
	}
	if dropout {
		w.mask = make([][]T, L+1)
		for i := 1; i < L; i++ {
			w.a[i] = make([]T, rows*l.sizes[i])
			w.mask[i] = make([]T, rows*l.sizes[i])
		}
	}
	w.grad = make([]T, l.n)
	w.ones = make([]T, rows)
	for i := range w.ones {
		w.ones[i] = 1
	}
	return w
}

// forward runs the r rows of w.x through the network. With dropout set (a
// training pass) hidden outputs are multiplied by the masks. The
// reconstruction is w.h[L].
func (w *work[T]) forward(l *layout, f Activation, p []T, r int, dropout bool) {
	L := l.layers()
	in := w.x
	for i := 1; i <= L; i++ {
		nin, nout := l.sizes[i-1], l.sizes[i]
		out := w.h[i][:r*nout]
		bias := p[l.b[i-1] : l.b[i-1]+nout]
		for k := 0; k < r; k++ {
			copy(out[k*nout:(k+1)*nout], bias)
		}
		if W := p[l.w[i-1]:l.b[i-1]]; l.tr[i-1] {
			gemm(blas.NoTrans, blas.Trans, r, nout, nin, in, nin, W, nin, 1, out, nout)
		} else {
			gemm(blas.NoTrans, blas.NoTrans, r, nout, nin, in, nin, W, nout, 1, out, nout)
		}
		if i == L {
			break
		}
		activate(f, out)
		in = out
		if dropout {
			a, m := w.a[i][:r*nout], w.mask[i][:r*nout]
			for k, v := range out {
				a[k] = v * m[k]
			}
			in = a
		}
	}
}

// backward writes into w.grad the gradient of
//
//	Σ_rows Σ_features (x̂ − x)² / (2·scale)
//
// for the r rows of the last forward pass, where scale is the size of the
// whole mini-batch the rows belong to, and sets w.sse. The weight penalty is
// added once per batch by the caller.
func (w *work[T]) backward(l *layout, f Activation, p []T, r int, scale float64, dropout bool) {
	L := l.layers()
	d := l.sizes[0]
	out, x, dl := w.h[L][:r*d], w.x[:r*d], w.delta[L][:r*d]
	var sse float64
	inv := T(1 / scale)
	for k, v := range out {
		e := v - x[k]
		sse += float64(e) * float64(e)
		dl[k] = e * inv
	}
	w.sse = sse
	for i := L; i >= 1; i-- {
		nin, nout := l.sizes[i-1], l.sizes[i]
		in := w.x
		if i > 1 {
			in = w.a[i-1]
		}
		delta := w.delta[i][:r*nout]
		gw := w.grad[l.w[i-1]:l.b[i-1]]
		gb := w.grad[l.b[i-1] : l.b[i-1]+nout]
		// ∂W = inᵀ·δ (∂Wᵀ = δᵀ·in), ∂b = δᵀ·1.
		W, tr := p[l.w[i-1]:l.b[i-1]], l.tr[i-1]
		if tr {
			gemm(blas.Trans, blas.NoTrans, nout, nin, r, delta, nout, in, nin, 0, gw, nin)
		} else {
			gemm(blas.Trans, blas.NoTrans, nin, nout, r, in, nin, delta, nout, 0, gw, nout)
		}
		colSums(r, nout, delta, w.ones, gb)
		if i == 1 {
			break
		}
		// δ of the layer below: (δ·Wᵀ) ⊙ mask ⊙ f′.
		prev := w.delta[i-1][:r*nin]
		if tr {
			gemm(blas.NoTrans, blas.NoTrans, r, nin, nout, delta, nout, W, nin, 0, prev, nin)
		} else {
			gemm(blas.NoTrans, blas.Trans, r, nin, nout, delta, nout, W, nout, 0, prev, nin)
		}
		if dropout {
			m := w.mask[i-1][:r*nin]
			for k := range prev {
				prev[k] *= m[k]
			}
		}
		backActivate(f, prev, w.h[i-1])
	}
}
