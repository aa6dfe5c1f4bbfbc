package autoencoder

import (
	"context"
	"math"
	"sync"

	"gonum.org/v1/gonum/mat"

	"github.com/vigil-ml/vigil/internal/check"
	"github.com/vigil-ml/vigil/internal/parallel"
)

// scoreBlock is the number of rows ScoreBatch pushes through the network at
// once.
const scoreBlock = 64

// Model is a trained autoencoder. It is immutable and safe for concurrent
// use.
type Model struct {
	cfg     Config
	lay     layout
	mean    []float64 // standardisation fitted on the training rows
	scale   []float64
	params  []float64
	history []EpochReport
	pool    *sync.Pool // of *work with scoreBlock rows
}

func (m *Model) init() {
	lay := &m.lay
	m.pool = &sync.Pool{New: func() any { return newWork(lay, scoreBlock, false, false) }}
}

func errUnfitted() error { return check.NotFitted(pkg) }

// Features returns the number of features the model was fit on.
func (m *Model) Features() int { return m.lay.sizes[0] }

// Config returns the configuration the model was trained with, defaults
// resolved: Hidden holds the widths actually used. Progress is nil.
func (m *Model) Config() Config {
	c := m.cfg
	c.Hidden = append([]int(nil), c.Hidden...)
	return c
}

// History returns the report of every epoch trained, in order. Fewer than
// Config().Epochs means that early stopping ended training.
func (m *Model) History() []EpochReport { return append([]EpochReport(nil), m.history...) }

// CodeWidth is the width of the vector Encode returns.
func (m *Model) CodeWidth() int { return m.lay.sizes[m.lay.code()] }

// standardise writes the standardised x into dst.
func (m *Model) standardise(dst, x []float64) {
	for j, v := range x {
		dst[j] = (v - m.mean[j]) / m.scale[j]
	}
}

// run standardises the r rows of data (r ≤ scoreBlock) into w and runs
// them through the network.
func (m *Model) run(w *work, data []float64, r int) {
	d := m.lay.sizes[0]
	for k := 0; k < r; k++ {
		m.standardise(w.x[k*d:(k+1)*d], data[k*d:(k+1)*d])
	}
	w.forward(&m.lay, m.cfg.Activation, m.params, r, false)
}

// rowError is the mean squared reconstruction error of row k of w.
func (m *Model) rowError(w *work, k int) float64 {
	d := m.lay.sizes[0]
	out, x := w.h[m.lay.layers()][k*d:(k+1)*d], w.x[k*d:(k+1)*d]
	var s float64
	for j, v := range x {
		e := out[j] - v
		s += e * e
	}
	return s / float64(d)
}

func (m *Model) get() *work  { return m.pool.Get().(*work) }
func (m *Model) put(w *work) { m.pool.Put(w) }

// Score returns the anomaly score of one sample: the mean over features of
// the squared difference between the standardised sample and its
// reconstruction. It does not allocate. On error the score is NaN.
func (m *Model) Score(x []float64) (float64, error) {
	if m.params == nil {
		return math.NaN(), errUnfitted()
	}
	if err := check.Row(pkg, x, m.Features()); err != nil {
		return math.NaN(), err
	}
	w := m.get()
	m.run(w, x, 1)
	s := m.rowError(w, 0)
	m.put(w)
	return s, nil
}

// Explain returns the squared reconstruction error of each feature of x on
// the standardised scale, whose mean is Score(x): the features with the
// largest errors are the ones the model could not explain from the others.
func (m *Model) Explain(x []float64) ([]float64, error) {
	if m.params == nil {
		return nil, errUnfitted()
	}
	if err := check.Row(pkg, x, m.Features()); err != nil {
		return nil, err
	}
	w := m.get()
	defer m.put(w)
	m.run(w, x, 1)
	d := m.Features()
	out := make([]float64, d)
	rec := w.h[m.lay.layers()]
	for j := range out {
		e := rec[j] - w.x[j]
		out[j] = e * e
	}
	return out, nil
}

// Encode returns the activations of the code layer, the narrowest hidden
// layer (the first of equals), for x: a compressed description of the
// sample, of CodeWidth values.
func (m *Model) Encode(x []float64) ([]float64, error) {
	if m.params == nil {
		return nil, errUnfitted()
	}
	if err := check.Row(pkg, x, m.Features()); err != nil {
		return nil, err
	}
	w := m.get()
	defer m.put(w)
	m.run(w, x, 1)
	c := m.lay.code()
	return append([]float64(nil), w.h[c][:m.lay.sizes[c]]...), nil
}

// Reconstruct returns the network's reconstruction of x in the original
// units of the features: what the model expected x to be.
func (m *Model) Reconstruct(x []float64) ([]float64, error) {
	if m.params == nil {
		return nil, errUnfitted()
	}
	if err := check.Row(pkg, x, m.Features()); err != nil {
		return nil, err
	}
	w := m.get()
	defer m.put(w)
	m.run(w, x, 1)
	d := m.Features()
	out := make([]float64, d)
	rec := w.h[m.lay.layers()]
	for j := range out {
		out[j] = rec[j]*m.scale[j] + m.mean[j]
	}
	return out, nil
}

// ScoreBatch returns the scores of the rows of X, computed in parallel; each
// equals Score of that row, bit for bit.
func (m *Model) ScoreBatch(X mat.Matrix) ([]float64, error) {
	if m.params == nil {
		return nil, errUnfitted()
	}
	data, n, err := check.View(pkg, X, m.Features())
	if err != nil {
		return nil, err
	}
	dst := make([]float64, n)
	m.scoreRows(dst, data)
	return dst, nil
}

// ScoreTo writes the scores of the rows of X into dst, which must have one
// element per row. A *mat.Dense with contiguous rows is read in place, so
// the only allocations are the few of the parallel loop.
func (m *Model) ScoreTo(dst []float64, X mat.Matrix) error {
	if m.params == nil {
		return errUnfitted()
	}
	if X != nil {
		if r, _ := X.Dims(); r != len(dst) {
			return check.Errorf(pkg, ErrDimension, "dst has %d elements for %d rows", len(dst), r)
		}
	}
	data, _, err := check.View(pkg, X, m.Features())
	if err != nil {
		return err
	}
	m.scoreRows(dst, data)
	return nil
}

func (m *Model) scoreRows(dst, data []float64) {
	d := m.Features()
	// Nothing can fail once the input is checked and there is no context
	// to cancel, so the error is always nil.
	_ = parallel.For(context.Background(), len(dst), scoreBlock, m.cfg.Workers, func(lo, hi int) {
		w := m.get()
		m.run(w, data[lo*d:hi*d], hi-lo)
		for i := lo; i < hi; i++ {
			dst[i] = m.rowError(w, i-lo)
		}
		m.put(w)
	})
}
