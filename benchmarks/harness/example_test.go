package harness_test

import (
	"context"
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/vigil-ml/vigil/benchmarks/dataset"
	"github.com/vigil-ml/vigil/benchmarks/harness"
)

// A detector is a fit function returning the training rows' scores; this
// one scores each row by its distance from the origin.
func ExampleRun() {
	norm := harness.Detector{
		Name:          "norm",
		Deterministic: true,
		Fit: func(_ context.Context, X *mat.Dense, _ uint64, _ harness.Options) (harness.ScoreFunc, error) {
			return func(context.Context) ([]float64, error) {
				n, _ := X.Dims()
				s := make([]float64, n)
				for i := range s {
					s[i] = mat.Norm(X.RowView(i), 2)
				}
				return s, nil
			}, nil
		},
	}
	ds := &dataset.Dataset{
		Name:   "toy",
		X:      mat.NewDense(4, 2, []float64{0, 1, 1, 0, 5, 5, 0.5, 0.5}),
		Labels: []bool{false, false, true, false},
	}
	res, err := harness.Run(context.Background(), ds, norm, harness.Config{Seeds: []uint64{0, 1, 2}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s: ROC-AUC %.2f, PR-AUC %.2f over %d run(s)\n", res.Dataset, res.ROCAUC, res.PRAUC, len(res.Runs))
	// Output: toy: ROC-AUC 1.00, PR-AUC 1.00 over 1 run(s)
}
