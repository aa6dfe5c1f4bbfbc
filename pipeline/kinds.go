package pipeline

import (
	"context"
	"fmt"

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
	ScoreTo(dst []float64, X mat.Matrix) error
}

// Optional capabilities of a detector.
type (
	explainer interface {
		Explain(x []float64) ([]float64, error)
	}
	marshaler interface {
		MarshalBinary() ([]byte, error)
	}
	ctxScorer interface {
		ScoreToContext(ctx context.Context, dst []float64, X mat.Matrix) error
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
	// withWorkers returns the detector with its scoring workers set, or
	// the detector unchanged (and false) when it cannot.
	withWorkers func(d detector, n int) (detector, bool)
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
		withWorkers: func(d detector, n int) (detector, bool) {
			if w, ok := d.(interface{ WithWorkers(int) *iforest.Model }); ok {
				return w.WithWorkers(n), true
			}
			return d, false
		},
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
		withWorkers: func(d detector, n int) (detector, bool) {
			if w, ok := d.(interface{ WithWorkers(int) *knn.Model }); ok {
				return w.WithWorkers(n), true
			}
			return d, false
		},
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
		withWorkers: func(d detector, n int) (detector, bool) {
			if w, ok := d.(interface{ WithWorkers(int) *lof.Model }); ok {
				return w.WithWorkers(n), true
			}
			return d, false
		},
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
		withWorkers: func(d detector, n int) (detector, bool) {
			if w, ok := d.(interface{ WithWorkers(int) *ocsvm.Model }); ok {
				return w.WithWorkers(n), true
			}
			return d, false
		},
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
		withWorkers: func(d detector, n int) (detector, bool) {
			if w, ok := d.(interface{ WithWorkers(int) *autoencoder.Model }); ok {
				return w.WithWorkers(n), true
			}
			return d, false
		},
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

// scoreBlock is the number of rows scored between two looks at the context
// when a detector has no context-aware batch method of its own.
const scoreBlock = 4096

// scoreTo scores the rows of X into dst. A detector with ScoreToContext is
// cancelled by it; any other is scored in blocks with the context checked
// between them, so a cancelled batch stops within one block.
func scoreTo(ctx context.Context, d detector, dst []float64, X mat.Matrix) error {
	if c, ok := d.(ctxScorer); ok {
		return c.ScoreToContext(ctx, dst, X)
	}
	n, cols := X.Dims()
	if n <= scoreBlock {
		if err := ctx.Err(); err != nil {
			return err
		}
		return d.ScoreTo(dst, X)
	}
	var dense *mat.Dense
	if dm, ok := X.(*mat.Dense); ok {
		dense = dm
	}
	for lo := 0; lo < n; lo += scoreBlock {
		if err := ctx.Err(); err != nil {
			return err
		}
		hi := min(lo+scoreBlock, n)
		var block mat.Matrix
		if dense != nil {
			block = dense.Slice(lo, hi, 0, cols)
		} else {
			b := mat.NewDense(hi-lo, cols, nil)
			for i := lo; i < hi; i++ {
				for j := 0; j < cols; j++ {
					b.Set(i-lo, j, X.At(i, j))
				}
			}
			block = b
		}
		if err := d.ScoreTo(dst[lo:hi], block); err != nil {
			return shiftRow(err, lo)
		}
	}
	return nil
}

// shiftRow makes the row of a block's error a row of the whole batch.
func shiftRow(err error, lo int) error {
	if e, ok := err.(*Error); ok && e.Row >= 0 {
		c := *e
		c.Row += lo
		c.Msg = fmt.Sprintf("%s (row %d of the batch)", e.Msg, c.Row)
		return &c
	}
	return err
}
