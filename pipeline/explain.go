package pipeline

import (
	"math"
	"sort"

	"github.com/vigil-ml/vigil/internal/check"
	"github.com/vigil-ml/vigil/score"
)

// CanExplain reports whether every detector of the pipeline has an Explain
// method, which Explain and the Explanation of results need.
func (p *Pipeline) CanExplain() bool {
	if p.fitted() != nil {
		return false
	}
	for _, pt := range p.parts {
		if _, ok := pt.det.(explainer); !ok {
			return false
		}
	}
	return true
}

// Explain returns one non-negative contribution per feature to how far x's
// combined score lies above a typical row's, larger meaning more responsible.
//
// Each detector's Explain gives its own per-feature contributions e_ij on
// its own scale; they are turned into shares of that detector's total, and
// each detector's shares are weighed by what it adds to the combined score
// above typical on the normalised scale:
//
//	c_i = w_i · max(0, z_i − m_i)
//	Explain(x)_j = Σ_i c_i · e_ij / Σ_k e_ik
//
// where z_i is detector i's normalised score of x, m_i the normalised median
// of its reference scores, and w_i its weight in the combination (the
// Combiner's weights for WeightedSum, the weights over their sum for Average,
// 1 for AOM and MOA, and for Maximum 1 on the detector that sets the maximum
// and 0 elsewhere). The
// contributions sum to Σ_i c_i, so they are in the units of the combined
// score: for the default equal-weight z-score sum, "this feature accounts
// for 1.8 of the row's 2.6 standard deviations above typical". A row that no
// detector places above its typical score gets all zeros.
func (p *Pipeline) Explain(x []float64) ([]float64, error) {
	if err := p.fitted(); err != nil {
		return nil, err
	}
	if err := check.Row(pkg, x, p.d); err != nil {
		return nil, err
	}
	z := make([]float64, len(p.parts))
	for i, pt := range p.parts {
		s, err := pt.det.Score(x)
		if err != nil {
			return nil, err
		}
		z[i] = p.comb.Normalizer(i).Normalize(s)
	}
	return p.explainFrom(x, z)
}

// explainFrom is Explain given the detectors' normalised scores of x.
func (p *Pipeline) explainFrom(x []float64, z []float64) ([]float64, error) {
	w := p.explainWeights(z)
	out := make([]float64, p.d)
	for i, pt := range p.parts {
		c := w[i] * math.Max(0, z[i]-pt.median)
		if !(c > 0) {
			continue
		}
		ex, ok := pt.det.(explainer)
		if !ok {
			return nil, errorf(ErrConfig, "detector %s (%s) has no Explain method", pt.name, pt.kind.tag)
		}
		e, err := ex.Explain(x)
		if err != nil {
			return nil, err
		}
		if len(e) != p.d {
			return nil, errorf(ErrDimension, "detector %s explained %d features, pipeline has %d", pt.name, len(e), p.d)
		}
		total := 0.0
		for _, v := range e {
			if v > 0 {
				total += v
			}
		}
		if !(total > 0) || math.IsInf(total, 0) {
			continue
		}
		for j, v := range e {
			if v > 0 {
				out[j] += c * v / total
			}
		}
	}
	return out, nil
}

// explainWeights returns each detector's weight in the explanation.
func (p *Pipeline) explainWeights(z []float64) []float64 {
	w := p.comb.Weights()
	if w != nil {
		if p.comb.Method() == score.Average {
			total := 0.0
			for _, v := range w {
				total += v
			}
			for i := range w {
				w[i] /= total
			}
		}
		return w
	}
	w = make([]float64, len(z))
	if p.comb.Method() == score.Maximum {
		best := 0
		for i := range z {
			if z[i] > z[best] {
				best = i
			}
		}
		w[best] = 1
		return w
	}
	for i := range w {
		w[i] = 1
	}
	return w
}

// Contribution is one feature's part in an explanation.
type Contribution struct {
	Feature int     // column index
	Name    string  // feature name, or "f<index>" when the pipeline has none
	Value   float64 // the explanation's value for the feature
	Share   float64 // Value over the explanation's sum, in [0, 1]
}

// Top returns the n features with the largest values of explanation, largest
// first (ties by column), leaving out features that contribute nothing.
func (p *Pipeline) Top(explanation []float64, n int) []Contribution {
	total := 0.0
	for _, v := range explanation {
		if v > 0 {
			total += v
		}
	}
	var out []Contribution
	for j, v := range explanation {
		if v > 0 {
			out = append(out, Contribution{Feature: j, Name: p.featureName(j), Value: v, Share: v / total})
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Value > out[b].Value })
	if n >= 0 && len(out) > n {
		out = out[:n]
	}
	return out
}

func (p *Pipeline) featureName(j int) string {
	if p != nil && j < len(p.names) {
		return p.names[j]
	}
	return "f" + itoa(j)
}
