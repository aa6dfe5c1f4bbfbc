package autoencoder

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// impl is gonum's native BLAS, used directly rather than through blas64 so
// that a program which registers another implementation cannot change the
// arithmetic: the guarantees below rest on how gonum's Dgemm accumulates.
// Each row of C = A·B is summed from that row of A alone, in the same order
// whatever the number of rows, so a sample scored alone (Score) and in a
// block (ScoreBatch) gives the same bits.
var impl gonum.Implementation

// gemmBlock is gonum's Dgemm block size. gonum runs a product on several
// goroutines once it spans four or more 64×64 blocks of C; gemm keeps every
// call below that so that Workers alone decides the goroutines in use.
const gemmBlock = 64

// gemm is C = alpha·op(A)·op(B) + beta·C for row-major A, B and C, where C
// is m×n and the inner dimension is k, split into serial pieces.
func gemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	const rows, cols = gemmBlock, 3 * gemmBlock
	if blocks(m)*blocks(n) < 4 {
		impl.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	for i0 := 0; i0 < m; i0 += rows {
		mi := min(rows, m-i0)
		var ai []float64
		if tA == blas.Trans {
			ai = a[i0:]
		} else {
			ai = a[i0*lda:]
		}
		for j0 := 0; j0 < n; j0 += cols {
			nj := min(cols, n-j0)
			var bj []float64
			if tB == blas.Trans {
				bj = b[j0*ldb:]
			} else {
				bj = b[j0:]
			}
			impl.Dgemm(tA, tB, mi, nj, k, alpha, ai, lda, bj, ldb, beta, c[i0*ldc+j0:], ldc)
		}
	}
}

func blocks(n int) int { return (n + gemmBlock - 1) / gemmBlock }

// layout places the weights and biases of every layer in one flat vector:
// layer l maps sizes[l] inputs to sizes[l+1] outputs with a sizes[l]×sizes[l+1]
// row-major weight matrix W (so that a row block A gives A·W) followed by
// its sizes[l+1] biases.
type layout struct {
	sizes []int // d, hidden..., d
	w, b  []int // offsets of each layer's weights and biases
	n     int   // parameters in all
}

func newLayout(d int, hidden []int) layout {
	sizes := make([]int, 0, len(hidden)+2)
	sizes = append(sizes, d)
	sizes = append(sizes, hidden...)
	sizes = append(sizes, d)
	l := layout{sizes: sizes}
	for i := 0; i+1 < len(sizes); i++ {
		l.w = append(l.w, l.n)
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
func activate(f Activation, z []float64) {
	switch f {
	case ReLU:
		for i, v := range z {
			if v < 0 {
				z[i] = 0
			}
		}
	case Tanh:
		for i, v := range z {
			z[i] = math.Tanh(v)
		}
	case Sigmoid:
		for i, v := range z {
			z[i] = sigmoid(v)
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
func backActivate(f Activation, g, h []float64) {
	h = h[:len(g)]
	switch f {
	case ReLU:
		for i, v := range h {
			if v <= 0 {
				g[i] = 0
			}
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

// work is the scratch of one forward and backward pass over up to rows
// samples: a training shard or a scoring block. It is owned by one
// goroutine at a time.
type work struct {
	rows  int
	x     []float64   // rows×d standardised input
	h     [][]float64 // per layer: its output (post-activation, before dropout)
	a     [][]float64 // per hidden layer: the output after dropout (h itself without)
	mask  [][]float64 // per hidden layer with dropout: 0 or 1/(1−p)
	delta [][]float64 // per layer: ∂loss/∂(pre-activation)
	grad  []float64   // ∂loss/∂params, layout order
	ones  []float64   // rows ones, to sum δ over rows with Dgemv
	sse   float64     // squared error of the last forward pass
}

func newWork(l *layout, rows int, train, dropout bool) *work {
	L := l.layers()
	w := &work{rows: rows, x: make([]float64, rows*l.sizes[0]), h: make([][]float64, L+1), a: make([][]float64, L+1)}
	for i := 1; i <= L; i++ {
		w.h[i] = make([]float64, rows*l.sizes[i])
		w.a[i] = w.h[i]
	}
	if !train {
		return w
	}
	w.delta = make([][]float64, L+1)
	for i := 1; i <= L; i++ {
		w.delta[i] = make([]float64, rows*l.sizes[i])
	}
	if dropout {
		w.mask = make([][]float64, L+1)
		for i := 1; i < L; i++ {
			w.a[i] = make([]float64, rows*l.sizes[i])
			w.mask[i] = make([]float64, rows*l.sizes[i])
		}
	}
	w.grad = make([]float64, l.n)
	w.ones = make([]float64, rows)
	for i := range w.ones {
		w.ones[i] = 1
	}
	return w
}

// forward runs the r rows of w.x through the network. With masks set (a
// training pass with dropout) hidden outputs are multiplied by them. The
// reconstruction is w.h[L].
func (w *work) forward(l *layout, f Activation, p []float64, r int, dropout bool) {
	L := l.layers()
	in := w.x
	for i := 1; i <= L; i++ {
		nin, nout := l.sizes[i-1], l.sizes[i]
		out := w.h[i][:r*nout]
		bias := p[l.b[i-1] : l.b[i-1]+nout]
		for k := 0; k < r; k++ {
			copy(out[k*nout:(k+1)*nout], bias)
		}
		gemm(blas.NoTrans, blas.NoTrans, r, nout, nin, 1, in, nin, p[l.w[i-1]:l.b[i-1]], nout, 1, out, nout)
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

// backward accumulates into w.grad (overwriting it) the gradient of
//
//	Σ_rows Σ_features (x̂ − x)² / (2·scale)
//
// for the r rows of the last forward pass, where scale is the size of the
// whole mini-batch the rows belong to, and sets w.sse. The weight penalty is
// added once per batch by the caller.
func (w *work) backward(l *layout, f Activation, p []float64, r int, scale float64, dropout bool) {
	L := l.layers()
	d := l.sizes[0]
	out, x, dl := w.h[L][:r*d], w.x[:r*d], w.delta[L][:r*d]
	var sse float64
	inv := 1 / scale
	for k, v := range out {
		e := v - x[k]
		sse += e * e
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
		// ∂W = inᵀ·δ, ∂b = δᵀ·1.
		gemm(blas.Trans, blas.NoTrans, nin, nout, r, 1, in, nin, delta, nout, 0, gw, nout)
		impl.Dgemv(blas.Trans, r, nout, 1, delta, nout, w.ones, 1, 0, gb, 1)
		if i == 1 {
			break
		}
		// δ of the layer below: (δ·Wᵀ) ⊙ mask ⊙ f′.
		prev := w.delta[i-1][:r*nin]
		gemm(blas.NoTrans, blas.Trans, r, nin, nout, 1, delta, nout, p[l.w[i-1]:l.b[i-1]], nout, 0, prev, nin)
		if dropout {
			m := w.mask[i-1][:r*nin]
			for k := range prev {
				prev[k] *= m[k]
			}
		}
		backActivate(f, prev, w.h[i-1])
	}
}
