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
	m := &Model{cfg: cfg, mean: sc.Mean, scale: sc.Scale}
	m.cfg.Progress = nil
	if cfg.Float64 {
		err = fit[float64](ctx, m, cfg, data, n, d)
	} else {
		err = fit[float32](ctx, m, cfg, data, n, d)
	}
	if err != nil {
		return nil, err
	}
	return m, nil
}

func fit[T float](ctx context.Context, m *Model, cfg Config, data []float64, n, d int) error {
	t := newTrainer[T](cfg, data, n, d)
	if err := t.run(ctx, m); err != nil {
		return err
	}
	m.setNet(newNet(t.lay, cfg.Activation, t.params, m.mean, m.scale))
	return nil
}

type trainer[T float] struct {
	cfg     Config
	lay     layout
	data    []T // standardised rows
	d       int
	train   []int // row indices that train
	val     []int // held-out row indices
	params  []T
	m, v    []T // Adam's moments
	works   []*work[T]
	rows    []int            // the batch being differentiated
	shardFn func(lo, hi int) // t.shards
	step    int
	b1t     float64 // β₁ᵗ
	b2t     float64 // β₂ᵗ
}

func newTrainer[T float](cfg Config, data []float64, n, d int) *trainer[T] {
	t := &trainer[T]{cfg: cfg, lay: newLayout(d, cfg.Hidden), data: make([]T, len(data)), d: d, b1t: 1, b2t: 1}
	for i, v := range data {
		t.data[i] = T(v)
	}
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
	t.params = make([]T, t.lay.n)
	t.initParams()
	t.m = make([]T, t.lay.n)
	t.v = make([]T, t.lay.n)
	bs := min(cfg.BatchSize, len(t.train))
	t.works = make([]*work[T], (bs+shardRows-1)/shardRows)
	for i := range t.works {
		t.works[i] = newWork[T](&t.lay, shardRows, true, cfg.Dropout > 0)
	}
	return t
}

// initParams draws the weights uniformly within Xavier's bound
// sqrt(6/(fan_in+fan_out)), or He's sqrt(6/fan_in) for ReLU layers under He,
// one random stream per layer; biases start at 0.
func (t *trainer[T]) initParams() {
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
			w[k] = T(limit * (2*r.Float64() - 1))
		}
	}
}

func (t *trainer[T]) run(ctx context.Context, m *Model) error {
	cfg := t.cfg
	r := rng.New(cfg.Seed, streamShuffle)
	bs := min(cfg.BatchSize, len(t.train))
	d := float64(t.d)
	best, stale := math.Inf(1), 0
	var bestParams []T
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
func (t *trainer[T]) batch(ctx context.Context, rows []int) (float64, error) {
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
func (t *trainer[T]) gradient(ctx context.Context, rows []int) ([]T, float64, error) {
	shards := (len(rows) + shardRows - 1) / shardRows
	t.rows = rows
	if t.shardFn == nil {
		t.shardFn = t.shards // one method value for the whole training
	}
	err := parallel.For(ctx, shards, 1, t.cfg.Workers, t.shardFn)
	if err != nil {
		return nil, 0, err
	}
	// Reduce in shard order: the same additions for any worker count.
	g := t.works[0].grad
	sse := t.works[0].sse
	for s := 1; s < shards; s++ {
		axpy(t.works[s].grad, g)
		sse += t.works[s].sse
	}
	return g, sse, nil
}

// shards computes the gradients of shards [lo, hi) of the batch t.rows,
// each into its own work.
func (t *trainer[T]) shards(lo, hi int) {
	lay, p, f, d := &t.lay, t.params, t.cfg.Activation, t.d
	drop := t.cfg.Dropout > 0
	rows := t.rows
	scale := float64(len(rows))
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
}

// masks fills w's dropout masks for the n rows starting at position pos of
// the batch. Each unit's draw is a hash of the seed, the step, the layer and
// its place in the batch, so it does not depend on which goroutine runs it.
func (t *trainer[T]) masks(w *work[T], pos, n int) {
	p := t.cfg.Dropout
	keep := T(1 / (1 - p))
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
func (t *trainer[T]) adam(g []T, batch float64) {
	t.b1t *= adamBeta1
	t.b2t *= adamBeta2
	lr := T(t.cfg.LearningRate * math.Sqrt(1-t.b2t) / (1 - t.b1t))
	var decay T
	if t.cfg.WeightDecay > 0 {
		decay = T(t.cfg.WeightDecay / batch)
	}
	p, m, v := t.params, t.m, t.v
	for i := 0; i < t.lay.layers(); i++ {
		t.adamRange(p, m, v, g, t.lay.w[i], t.lay.b[i], decay, lr)
		end := t.lay.b[i] + t.lay.sizes[i+1]
		t.adamRange(p, m, v, g, t.lay.b[i], end, 0, lr)
	}
}

func (t *trainer[T]) adamRange(p, m, v, g []T, lo, hi int, decay, lr T) {
	if is32[T]() {
		adam32(f32(p[lo:hi]), f32(m[lo:hi]), f32(v[lo:hi]), f32(g[lo:hi]), float32(decay), float32(lr))
	} else {
		adam64(f64(p[lo:hi]), f64(m[lo:hi]), f64(v[lo:hi]), f64(g[lo:hi]), float64(decay), float64(lr))
	}
}

// adam32 and adam64 are one Adam update of a parameter range, written per
// precision so that the compiler emits the precision's own square root.
func adam32(p, m, v, g []float32, decay, lr float32) {
	m, v, g = m[:len(p)], v[:len(p)], g[:len(p)]
	const b1, b2, eps = adamBeta1, adamBeta2, adamEps
	for k := range p {
		gk := g[k] + decay*p[k]
		mk := b1*m[k] + (1-b1)*gk
		vk := b2*v[k] + (1-b2)*gk*gk
		m[k], v[k] = mk, vk
		p[k] -= lr * mk / (float32(math.Sqrt(float64(vk))) + eps)
	}
}

func adam64(p, m, v, g []float64, decay, lr float64) {
	m, v, g = m[:len(p)], v[:len(p)], g[:len(p)]
	const b1, b2, eps = adamBeta1, adamBeta2, adamEps
	for k := range p {
		gk := g[k] + decay*p[k]
		mk := b1*m[k] + (1-b1)*gk
		vk := b2*v[k] + (1-b2)*gk*gk
		m[k], v[k] = mk, vk
		p[k] -= lr * mk / (math.Sqrt(vk) + eps)
	}
}

// validationLoss is the mean squared error per feature of the held-out rows
// under the current weights, without dropout.
func (t *trainer[T]) validationLoss() float64 {
	d := t.d
	w := newWork[T](&t.lay, scoreBlock, false, false)
	var sse float64
	for b0 := 0; b0 < len(t.val); b0 += scoreBlock {
		part := t.val[b0:min(b0+scoreBlock, len(t.val))]
		for k, i := range part {
			copy(w.x[k*d:(k+1)*d], t.data[i*d:(i+1)*d])
		}
		w.forward(&t.lay, t.cfg.Activation, t.params, len(part), false)
		out := w.h[t.lay.layers()]
		for k, v := range w.x[:len(part)*d] {
			e := float64(out[k]) - float64(v)
			sse += e * e
		}
	}
	return sse / float64(len(t.val)*d)
}
