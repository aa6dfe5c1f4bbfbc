package autoencoder

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// batchLoss is the objective a training step descends, computed directly
// from its definition: Σ (x̂ − x)² / (2B) over the batch plus the weight
// penalty WeightDecay·Σw²/(2B), with the masks the step drew.
func batchLoss(t *trainer[float64], rows []int) float64 {
	_, sse, err := t.gradient(context.Background(), rows)
	if err != nil {
		panic(err)
	}
	b := float64(len(rows))
	loss := sse / (2 * b)
	if t.cfg.WeightDecay > 0 {
		var w2 float64
		for i := 0; i < t.lay.layers(); i++ {
			for _, v := range t.params[t.lay.w[i]:t.lay.b[i]] {
				w2 += v * v
			}
		}
		loss += t.cfg.WeightDecay * w2 / (2 * b)
	}
	return loss
}

// TestGradient compares backpropagation with five-point finite differences for
// every activation, with and without dropout, on a batch that spans three
// micro-shards, parameter by parameter: the first layer (inputs), the
// hidden layers, the linear output layer, their weights and biases, and the
// weight penalty. In float64 the two agree to 1e-6 relative.
func TestGradient(t *testing.T) {
	const n, d = 40, 5
	X := latent(21, n, d)
	for _, f := range []Activation{ReLU, Tanh, Sigmoid} {
		for _, drop := range []float64{0, 0.3} {
			t.Run(fmt.Sprintf("%v/dropout=%v", f, drop), func(t *testing.T) {
				cfg, err := resolve(Config{Hidden: []int{7, 3, 6}, Activation: f, Dropout: drop, Seed: 3, BatchSize: n, WeightDecay: 0.5, Workers: 2, Float64: true}, n, d)
				require.NoError(t, err)
				data := make([]float64, n*d)
				for i := range n {
					for j := range d {
						data[i*d+j] = X.At(i, j) / 100
					}
				}
				tr := newTrainer[float64](cfg, data, n, d)
				// Biases start at 0; move them so that their gradients are
				// tested away from that special point.
				for i := 0; i < tr.lay.layers(); i++ {
					for k := tr.lay.b[i]; k < tr.lay.b[i]+tr.lay.sizes[i+1]; k++ {
						tr.params[k] = 0.1 * math.Sin(float64(k))
					}
				}
				tr.step = 1
				rows := make([]int, n)
				for i := range rows {
					rows[i] = (i * 7) % n
				}
				if drop > 0 {
					for s, w := range tr.works {
						tr.masks(w, s*shardRows, min(shardRows, n-s*shardRows))
					}
				}
				g, _, err := tr.gradient(context.Background(), rows)
				require.NoError(t, err)
				analytic := append([]float64(nil), g...)
				if tr.cfg.WeightDecay > 0 {
					for i := 0; i < tr.lay.layers(); i++ {
						for k := tr.lay.w[i]; k < tr.lay.b[i]; k++ {
							analytic[k] += tr.cfg.WeightDecay / n * tr.params[k]
						}
					}
				}
				// The five-point stencil's error is O(h⁴), so a step large
				// enough to keep rounding small is still accurate. A ReLU
				// network's loss is piecewise quadratic in each parameter,
				// where any stencil is exact, but a step must not cross a
				// kink: it is kept small.
				h := 1e-3
				if f == ReLU {
					h = 1e-5
				}
				worst := 0.0
				at := func(k int, v float64) float64 {
					tr.params[k] = v
					return batchLoss(tr, rows)
				}
				for k := range tr.params {
					p := tr.params[k]
					num := (at(k, p-2*h) - 8*at(k, p-h) + 8*at(k, p+h) - at(k, p+2*h)) / (12 * h)
					tr.params[k] = p
					// Relative error, with an absolute floor of 1e-10 (the
					// stencil's rounding) for gradients below 1e-4, such as
					// those of units that ReLU or dropout switched off.
					den := math.Max(math.Abs(num)+math.Abs(analytic[k]), 1e-4)
					rel := math.Abs(num-analytic[k]) / den
					worst = math.Max(worst, rel)
					require.LessOrEqual(t, rel, 1e-6, "%s parameter %d: backprop %.12g, finite difference %.12g", tr.lay.describe(k), k, analytic[k], num)
				}
				t.Logf("worst relative error %.2g over %d parameters", worst, len(tr.params))
			})
		}
	}
}

// describe names the layer and kind of parameter k, for failure messages.
func (l *layout) describe(k int) string {
	for i := l.layers() - 1; i >= 0; i-- {
		if k >= l.b[i] {
			return fmt.Sprintf("layer %d bias", i+1)
		}
		if k >= l.w[i] {
			return fmt.Sprintf("layer %d weight", i+1)
		}
	}
	return "?"
}
