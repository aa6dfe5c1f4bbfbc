package autoencoder

import (
	"math"

	"github.com/vigil-ml/vigil/internal/codec"
)

const (
	magic   = "VAEN"
	version = 1
)

// maxLayers bounds the hidden layers a decoded model may have.
const maxLayers = 64

// MarshalBinary encodes the model in Vigil's versioned binary format: the
// layout, the standardisation, the weights and the training history.
func (m *Model) MarshalBinary() ([]byte, error) {
	if m.net == nil {
		return nil, errUnfitted()
	}
	e := codec.NewEncoder(magic, version)
	c := m.cfg
	e.Int(m.Features())
	hidden := make([]int32, len(c.Hidden))
	for i, w := range c.Hidden {
		hidden[i] = int32(w)
	}
	e.Int32s(hidden)
	e.Int(int(c.Activation))
	e.Int(int(c.Init))
	e.Int(c.Epochs)
	e.Int(c.BatchSize)
	e.Float64(c.LearningRate)
	e.Float64(c.WeightDecay)
	e.Float64(c.Dropout)
	e.Uint64(c.Seed)
	e.Float64(c.ValidationFraction)
	e.Int(c.Patience)
	e.Bool(c.Float64)
	e.Float64s(m.mean)
	e.Float64s(m.scale)
	e.Float64s(m.net.params())
	e.Int(len(m.history))
	for _, h := range m.history {
		e.Int(h.Epoch)
		e.Float64(h.TrainLoss)
		e.Float64(h.ValidationLoss)
		e.Float64(h.Seconds)
	}
	return e.Bytes(), nil
}

// UnmarshalBinary decodes a model written by MarshalBinary. Corrupt,
// truncated or inconsistent input gives an error wrapping ErrCorrupt, and
// the model is left unchanged. The decoded model scores with
// runtime.GOMAXPROCS(0) workers and gives the same scores, bit for bit, as
// the model that was encoded.
func (m *Model) UnmarshalBinary(data []byte) error {
	dec, _, err := codec.NewDecoder(pkg, magic, version, data)
	if err != nil {
		return err
	}
	var c Config
	d := dec.IntIn("feature count", 1, math.MaxInt32)
	hidden := dec.Int32s()
	c.Activation = Activation(dec.IntIn("activation", 0, len(activationNames)-1))
	c.Init = Init(dec.IntIn("init", 0, len(initNames)-1))
	c.Epochs = dec.IntIn("epochs", 1, math.MaxInt32)
	c.BatchSize = dec.IntIn("batch size", 1, math.MaxInt32)
	c.LearningRate = dec.Float64()
	c.WeightDecay = dec.Float64()
	c.Dropout = dec.Float64()
	c.Seed = dec.Uint64()
	c.ValidationFraction = dec.Float64()
	c.Patience = dec.IntIn("patience", 1, math.MaxInt32)
	c.Float64 = dec.Bool()
	mean := dec.Float64s()
	scale := dec.Float64s()
	params := dec.Float64s()
	// Each epoch takes 32 bytes; checking against what is left bounds the
	// allocation.
	nh := dec.IntIn("epochs trained", 0, max(0, len(data)/32))
	history := make([]EpochReport, 0, nh)
	for i := 0; i < nh; i++ {
		h := EpochReport{Epoch: dec.Int(), TrainLoss: dec.Float64(), ValidationLoss: dec.Float64(), Seconds: dec.Float64()}
		if h.Epoch != i+1 {
			dec.Fail("epoch %d of the history is numbered %d", i+1, h.Epoch)
		}
		history = append(history, h)
	}
	if err := dec.Err(); err != nil {
		return err
	}
	switch {
	case len(hidden) == 0 || len(hidden) > maxLayers:
		dec.Fail("model has %d hidden layers, want 1 to %d", len(hidden), maxLayers)
	case !(c.LearningRate > 0) || !finite(c.LearningRate):
		dec.Fail("learning rate is %v", c.LearningRate)
	case !finite(c.WeightDecay) || (c.WeightDecay < 0 && c.WeightDecay != -1):
		dec.Fail("weight decay is %v", c.WeightDecay)
	case !(c.Dropout >= 0 && c.Dropout < 1):
		dec.Fail("dropout is %v", c.Dropout)
	case !(c.ValidationFraction >= 0 && c.ValidationFraction < 1):
		dec.Fail("validation fraction is %v", c.ValidationFraction)
	case len(mean) != d || len(scale) != d:
		dec.Fail("standardisation has %d means and %d scales for %d features", len(mean), len(scale), d)
	case nh > c.Epochs:
		dec.Fail("history has %d epochs, more than the %d configured", nh, c.Epochs)
	}
	if err := dec.Err(); err != nil {
		return err
	}
	c.Hidden = make([]int, len(hidden))
	for i, w := range hidden {
		if w < 1 || w > maxWidth {
			dec.Fail("hidden layer %d has width %d, want 1 to %d", i, w, maxWidth)
			return dec.Err()
		}
		c.Hidden[i] = int(w)
	}
	lay := newLayout(d, c.Hidden)
	if len(params) != lay.n {
		dec.Fail("model has %d parameters, its layout needs %d", len(params), lay.n)
	}
	for j := range mean {
		if !finite(mean[j]) || !finite(scale[j]) || !(scale[j] > 0) {
			dec.Fail("feature %d has mean %v and scale %v", j, mean[j], scale[j])
			break
		}
	}
	for i, p := range params {
		if !finite(p) || (!c.Float64 && float64(float32(p)) != p) {
			dec.Fail("parameter %d is %v", i, p)
			break
		}
	}
	if err := dec.Err(); err != nil {
		return err
	}
	*m = Model{cfg: c, mean: mean, scale: scale, history: history}
	if c.Float64 {
		m.setNet(newNet(lay, c.Activation, params, mean, scale))
	} else {
		p := make([]float32, len(params))
		for i, v := range params {
			p[i] = float32(v)
		}
		m.setNet(newNet(lay, c.Activation, p, mean, scale))
	}
	return nil
}
