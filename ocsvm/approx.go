package ocsvm

import (
	"context"

	"github.com/vigil-ml/vigil/internal/check"
)

type featureModel struct {
	w []float64
}

func (f *featureModel) width() int { return len(f.w) }

func (f *featureModel) decision(x, buf []float64) float64 { return 0 }

func (m *Model) fitApprox(ctx context.Context, data []float64, n, d int) error {
	return check.Errorf(pkg, ErrConfig, "approximations: TODO")
}
