package pipeline

import (
	"context"

	"gonum.org/v1/gonum/mat"

	"github.com/vigil-ml/vigil/autoencoder"
	"github.com/vigil-ml/vigil/iforest"
	"github.com/vigil-ml/vigil/knn"
	"github.com/vigil-ml/vigil/lof"
	"github.com/vigil-ml/vigil/ocsvm"
)

// detector is what the pipeline needs of a fitted model. Every Vigil detector
// satisfies it; the optional capabilities below are found by assertion so
// that a detector gains them without the pipeline's format changing.
type detector interface {
	Score(x []float64) (float64, error)
	ScoreToContext(ctx context.Context, dst []float64, X mat.Matrix) error
}

// Optional capabilities of a detector.
type (
	explainer interface {
		Explain(x []float64) ([]float64, error)
	}
	marshaler interface {
		MarshalBinary() ([]byte, error)
	}
)

// kind is one entry of the registry: how a detector type is fitted, what
// its reference scores are, how its blob is decoded and how its scoring
// workers are set. A part of a persisted pipeline names its kind by tag, so
// adding a detector (ocsvm, autoencoder) is one more entry here and leaves
// the pipeline's format as it is.
type kind struct {
	// tag is the stable name stored in the blob; never change it.
	tag string
	// version is the part layout version this build writes and the highest
	// it reads. The detector's own blob carries its own version as well.
	version int
	// config reports whether cfg (a Detector.Config) belongs to this kind.
	config func(cfg any) bool
	// fit fits the detector and returns the reference scores of its
	// training rows: leave-one-out scores for neighbour detectors (a row
	// scored against itself would sit at distance 0), the plain scores of
	// the training rows otherwise.
	fit func(ctx context.Context, X mat.Matrix, cfg any) (detector, []float64, error)
	// decode reads the detector's own blob.
	decode func(b []byte) (detector, error)
	// withWorkers returns a copy of the detector that scores with n
	// workers.
	withWorkers func(d detector, n int) detector
}

var kinds = []kind{
	{
		tag: "iforest", version: 1,
		config: func(cfg any) bool {
			switch cfg.(type) {
			case iforest.Config, *iforest.Config:
				return true
			}
			return false
		},
		fit: func(ctx context.Context, X mat.Matrix, cfg any) (detector, []float64, error) {
			c, _ := deref[iforest.Config](cfg)
			m, err := iforest.Fit(ctx, X, c)
			if err != nil {
				return nil, nil, err
			}
			ref, err := scoreAll(ctx, m, X)
			return m, ref, err
		},
		decode: func(b []byte) (detector, error) {
			m := new(iforest.Model)
			return m, m.UnmarshalBinary(b)
		},
		withWorkers: func(d detector, n int) detector { return d.(*iforest.Model).WithWorkers(n) },
	},
	{
		tag: "knn", version: 1,
		config: func(cfg any) bool {
			switch cfg.(type) {
			case knn.Config, *knn.Config:
				return true
			}
			return false
		},
		fit: func(ctx context.Context, X mat.Matrix, cfg any) (detector, []float64, error) {
			c, _ := deref[knn.Config](cfg)
			m, err := knn.Fit(ctx, X, c)
			if err != nil {
				return nil, nil, err
			}
			return m, append([]float64(nil), m.TrainingScores()...), nil
		},
		decode: func(b []byte) (detector, error) {
			m := new(knn.Model)
			return m, m.UnmarshalBinary(b)
		},
		withWorkers: func(d detector, n int) detector { return d.(*knn.Model).WithWorkers(n) },
	},
	{
		tag: "lof", version: 1,
		config: func(cfg any) bool {
			switch cfg.(type) {
			case lof.Config, *lof.Config:
				return true
			}
			return false
		},
		fit: func(ctx context.Context, X mat.Matrix, cfg any) (detector, []float64, error) {
			c, _ := deref[lof.Config](cfg)
			m, err := lof.Fit(ctx, X, c)
			if err != nil {
				return nil, nil, err
			}
			return m, append([]float64(nil), m.TrainingScores()...), nil
		},
		decode: func(b []byte) (detector, error) {
			m := new(lof.Model)
			return m, m.UnmarshalBinary(b)
		},
		withWorkers: func(d detector, n int) detector { return d.(*lof.Model).WithWorkers(n) },
	},
	{
		tag: "ocsvm", version: 1,
		config: func(cfg any) bool {
			switch cfg.(type) {
			case ocsvm.Config, *ocsvm.Config:
				return true
			}
			return false
		},
		fit: func(ctx context.Context, X mat.Matrix, cfg any) (detector, []float64, error) {
			c, _ := deref[ocsvm.Config](cfg)
			m, err := ocsvm.Fit(ctx, X, c)
			if err != nil {
				return nil, nil, err
			}
			ref, err := scoreAll(ctx, m, X)
			return m, ref, err
		},
		decode: func(b []byte) (detector, error) {
			m := new(ocsvm.Model)
			return m, m.UnmarshalBinary(b)
		},
		withWorkers: func(d detector, n int) detector { return d.(*ocsvm.Model).WithWorkers(n) },
	},
	{
		tag: "autoencoder", version: 1,
		config: func(cfg any) bool {
			switch cfg.(type) {
			case autoencoder.Config, *autoencoder.Config:
				return true
			}
			return false
		},
		fit: func(ctx context.Context, X mat.Matrix, cfg any) (detector, []float64, error) {
			c, _ := deref[autoencoder.Config](cfg)
			m, err := autoencoder.Fit(ctx, X, c)
			if err != nil {
				return nil, nil, err
			}
			ref, err := scoreAll(ctx, m, X)
			return m, ref, err
		},
		decode: func(b []byte) (detector, error) {
			m := new(autoencoder.Model)
			return m, m.UnmarshalBinary(b)
		},
		withWorkers: func(d detector, n int) detector { return d.(*autoencoder.Model).WithWorkers(n) },
	},
}

// deref returns cfg as a T whether it holds a T or a non-nil *T.
func deref[T any](cfg any) (T, bool) {
	switch c := cfg.(type) {
	case T:
		return c, true
	case *T:
		if c != nil {
			return *c, true
		}
	}
	var zero T
	return zero, false
}

// kindOfConfig returns the registry entry of a Detector.Config.
func kindOfConfig(cfg any) (*kind, error) {
	if cfg == nil {
		return nil, errorf(ErrConfig, "detector has no Config: give an iforest.Config, knn.Config, lof.Config, ocsvm.Config or autoencoder.Config")
	}
	for i := range kinds {
		if kinds[i].config(cfg) {
			return &kinds[i], nil
		}
	}
	return nil, errorf(ErrConfig, "detector Config of type %T is not a detector this build knows (%s)", cfg, kindTags())
}

// kindOfTag returns the registry entry of a stored tag, or nil.
func kindOfTag(tag string) *kind {
	for i := range kinds {
		if kinds[i].tag == tag {
			return &kinds[i]
		}
	}
	return nil
}

func kindTags() string {
	s := ""
	for i, k := range kinds {
		if i > 0 {
			s += ", "
		}
		s += k.tag
	}
	return s
}

// scoreAll scores every row of X with d, cancellably.
func scoreAll(ctx context.Context, d detector, X mat.Matrix) ([]float64, error) {
	n, _ := X.Dims()
	dst := make([]float64, n)
	return dst, scoreTo(ctx, d, dst, X)
}

// scoreTo scores the rows of X into dst; every detector's ScoreToContext
// checks ctx between its parallel blocks, so a cancelled batch stops
// promptly.
func scoreTo(ctx context.Context, d detector, dst []float64, X mat.Matrix) error {
	return d.ScoreToContext(ctx, dst, X)
}
