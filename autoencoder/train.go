package autoencoder

import (
	"context"
	"math"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/vigil-ml/vigil/internal/check"
	"github.com/vigil-ml/vigil/internal/parallel"
	"github.com/vigil-ml/vigil/internal/rng"
	"github.com/vigil-ml/vigil/internal/scale"
)

// shardRows is the size of the fixed micro-shards a mini-batch is cut into.
// Each shard's gradient is computed on its own and the shards are added in
// shard order, so the sums, and with them the weights, are the same bits
// whether one goroutine computes every shard or several share them.
const shardRows = 16

// Random streams of a Seed.
const (
	streamInit    = 0 // + layer index
	streamShuffle = 1 << 20
	streamSplit   = 1<<20 + 1
)

// Adam's constants, as scikit-learn and the paper set them.
const (
	adamBeta1 = 0.9
	adamBeta2 = 0.999
	adamEps   = 1e-8
)

// Fit standardises the rows of X, trains an autoencoder to reconstruct them
// and returns the model. It stops promptly when ctx is cancelled and then
// returns ctx.Err().
func Fit(ctx context.Context, X mat.Matrix, cfg Config) (*Model, error) {
	data, n, d, err := check.Dense(pkg, X)
	if err != nil {
		return nil, err
	}
	cfg, err = resolve(cfg, n, d)
	if err != nil {
		return nil, err
	}
	// Means and variances of values beyond ±1e150 overflow.
	if err := check.Bounded(pkg, data, d); err != nil {
		return nil, err
	}
	sc := scale.Fit(data, n, d)
	sc.ApplyRows(data, n)
	t := newTrainer(cfg, data, n, d)
	m := &Model{
		cfg:    cfg,
		lay:    t.lay,
		mean:   sc.Mean,
		scale:  sc.Scale,
		params: t.params,
	}
	m.cfg.Progress = nil
	if err := t.run(ctx, m); err != nil {
		return nil, err
	}
	m.init()
	return m, nil
}

type trainer struct {
	cfg    Config
	lay    layout
	data   []float64 // standardised rows
	d      int
	train  []int // row indices that train
	val    []int // held-out row indices
	params []float64
	m, v   []float64 // Adam's moments
	works  []*work
	step   int
	b1t    float64 // β₁ᵗ
	b2t    float64 // β₂ᵗ
}

func newTrainer(cfg Config, data []float64, n, d int) *trainer {
	t := &trainer{cfg: cfg, lay: newLayout(d, cfg.Hidden), data: data, d: d, b1t: 1, b2t: 1}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	if nv := validationRows(cfg.ValidationFraction, n); nv > 0 {
		r := rng.New(cfg.Seed, streamSplit)
		r.Shuffle(n, func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		t.train, t.val = idx[:n-nv], idx[n-nv:]
	} else {
		t.train = idx
	}
	t.params = make([]float64, t.lay.n)
	t.initParams()
	t.m = make([]float64, t.lay.n)
	t.v = make([]float64, t.lay.n)
	bs := min(cfg.BatchSize, len(t.train))
	t.works = make([]*work, (bs+shardRows-1)/shardRows)
	for i := range t.works {
		t.works[i] = newWork(&t.lay, shardRows, true, cfg.Dropout > 0)
	}
	return t
}

// initParams draws the weights uniformly within Xavier's bound
// sqrt(6/(fan_in+fan_out)), or He's sqrt(6/fan_in) for ReLU layers under He,
// one random stream per layer; biases start at 0.
func (t *trainer) initParams() {
	L := t.lay.layers()
	for i := 0; i < L; i++ {
		fin, fout := t.lay.sizes[i], t.lay.sizes[i+1]
		limit := math.Sqrt(6 / float64(fin+fout))
		if i < L-1 && t.cfg.Activation == ReLU && t.cfg.Init == He {
			limit = math.Sqrt(6 / float64(fin))
		}
		r := rng.New(t.cfg.Seed, streamInit+uint64(i))
		w := t.params[t.lay.w[i]:t.lay.b[i]]
		for k := range w {
			w[k] = limit * (2*r.Float64() - 1)
		}
	}
}

func (t *trainer) run(ctx context.Context, m *Model) error {
	cfg := t.cfg
	r := rng.New(cfg.Seed, streamShuffle)
	bs := min(cfg.BatchSize, len(t.train))
	d := float64(t.d)
	best, stale := math.Inf(1), 0
	var bestParams []float64
	for epoch := 1; epoch <= cfg.Epochs; epoch++ {
		start := time.Now()
		r.Shuffle(len(t.train), func(i, j int) { t.train[i], t.train[j] = t.train[j], t.train[i] })
		var sse float64
		for b0 := 0; b0 < len(t.train); b0 += bs {
			s, err := t.batch(ctx, t.train[b0:min(b0+bs, len(t.train))])
			if err != nil {
				return err
			}
			sse += s
		}
		rep := EpochReport{Epoch: epoch, TrainLoss: sse / (float64(len(t.train)) * d), ValidationLoss: math.NaN()}
		stop := false
		if len(t.val) > 0 {
			rep.ValidationLoss = t.validationLoss()
			switch {
			case rep.ValidationLoss < best:
				best, stale = rep.ValidationLoss, 0
				bestParams = append(bestParams[:0], t.params...)
			default:
				stale++
				stop = stale >= cfg.Patience
			}
		}
		rep.Seconds = time.Since(start).Seconds()
		m.history = append(m.history, rep)
		if t.cfg.Progress != nil {
			t.cfg.Progress(rep)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if stop {
			break
		}
	}
	if bestParams != nil {
		copy(t.params, bestParams)
	}
	return nil
}

// batch trains on one mini-batch of rows and returns its squared error.
func (t *trainer) batch(ctx context.Context, rows []int) (float64, error) {
	t.step++
	g, sse, err := t.gradient(ctx, rows)
	if err != nil {
		return 0, err
	}
	t.adam(g, float64(len(rows)))
	return sse, nil
}

// gradient returns the gradient of the batch's data term (without the
// weight penalty) and its squared error. The gradient is scratch owned by
// the trainer, valid until the next call.
func (t *trainer) gradient(ctx context.Context, rows []int) ([]float64, float64, error) {
	lay, p, f := &t.lay, t.params, t.cfg.Activation
	d := t.d
	drop := t.cfg.Dropout > 0
	shards := (len(rows) + shardRows - 1) / shardRows
	scale := float64(len(rows))
	err := parallel.For(ctx, shards, 1, t.cfg.Workers, func(lo, hi int) {
		for s := lo; s < hi; s++ {
			w := t.works[s]
			part := rows[s*shardRows : min((s+1)*shardRows, len(rows))]
			for k, i := range part {
				copy(w.x[k*d:(k+1)*d], t.data[i*d:(i+1)*d])
			}
			if drop {
				t.masks(w, s*shardRows, len(part))
			}
			w.forward(lay, f, p, len(part), drop)
			w.backward(lay, f, p, len(part), scale, drop)
		}
	})
	if err != nil {
		return nil, 0, err
	}
	// Reduce in shard order: the same additions for any worker count.
	g := t.works[0].grad
	sse := t.works[0].sse
	for s := 1; s < shards; s++ {
		impl.Daxpy(len(g), 1, t.works[s].grad, 1, g, 1)
		sse += t.works[s].sse
	}
	return g, sse, nil
}

// masks fills w's dropout masks for the n rows starting at position pos of
// the batch. Each unit's draw is a hash of the seed, the step, the layer and
// its place in the batch, so it does not depend on which goroutine runs it.
func (t *trainer) masks(w *work, pos, n int) {
	p := t.cfg.Dropout
	keep := 1 / (1 - p)
	for i := 1; i < t.lay.layers(); i++ {
		width := t.lay.sizes[i]
		m := w.mask[i][:n*width]
		base := mix(t.cfg.Seed ^ mix(uint64(t.step)<<8|uint64(i)))
		for k := range m {
			u := float64(mix(base+uint64(pos*width+k))>>11) * 0x1p-53
			if u < p {
				m[k] = 0
			} else {
				m[k] = keep
			}
		}
	}
}

// mix is the SplitMix64 finaliser.
func mix(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// adam takes one Adam step along g plus the weight penalty's gradient
// (WeightDecay/batch)·W, with scikit-learn's bias-corrected step size.
func (t *trainer) adam(g []float64, batch float64) {
	t.b1t *= adamBeta1
	t.b2t *= adamBeta2
	lr := t.cfg.LearningRate * math.Sqrt(1-t.b2t) / (1 - t.b1t)
	decay := 0.0
	if t.cfg.WeightDecay > 0 {
		decay = t.cfg.WeightDecay / batch
	}
	p, m, v := t.params, t.m, t.v
	for i := 0; i < t.lay.layers(); i++ {
		t.adamRange(p, m, v, g, t.lay.w[i], t.lay.b[i], decay, lr)
		end := t.lay.b[i] + t.lay.sizes[i+1]
		t.adamRange(p, m, v, g, t.lay.b[i], end, 0, lr)
	}
}

func (t *trainer) adamRange(p, m, v, g []float64, lo, hi int, decay, lr float64) {
	p, m, v, g = p[lo:hi], m[lo:hi], v[lo:hi], g[lo:hi]
	for k := range p {
		gk := g[k] + decay*p[k]
		m[k] = adamBeta1*m[k] + (1-adamBeta1)*gk
		v[k] = adamBeta2*v[k] + (1-adamBeta2)*gk*gk
		p[k] -= lr * m[k] / (math.Sqrt(v[k]) + adamEps)
	}
}

// validationLoss is the mean squared error per feature of the held-out rows
// under the current weights, without dropout.
func (t *trainer) validationLoss() float64 {
	d := t.d
	w := newWork(&t.lay, scoreBlock, false, false)
	var sse float64
	for b0 := 0; b0 < len(t.val); b0 += scoreBlock {
		part := t.val[b0:min(b0+scoreBlock, len(t.val))]
		for k, i := range part {
			copy(w.x[k*d:(k+1)*d], t.data[i*d:(i+1)*d])
		}
		w.forward(&t.lay, t.cfg.Activation, t.params, len(part), false)
		out := w.h[t.lay.layers()]
		for k, v := range w.x[:len(part)*d] {
			e := out[k] - v
			sse += e * e
		}
	}
	return sse / float64(len(t.val)*d)
}
