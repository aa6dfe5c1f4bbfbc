package knn

import (
	"context"
	"os"
	"testing"

	"github.com/vigil-ml/vigil/internal/neighbors"
	"github.com/vigil-ml/vigil/internal/testenv"
)

// TestFarOutliersScoreHigh is issue 7's property: over many generated
// shapes (near-constant columns down to spreads of 1e-200, values up to the
// accepted ±1e150, both signs, with and without standardisation, tree and
// brute force, Score and ScoreBatch, a normal row scored just before), a
// sample far outside the training data never scores below the training
// maximum unless it is refused with an error. VIGIL_PROPERTY=1 runs 3000
// shapes instead of 120.
func TestFarOutliersScoreHigh(t *testing.T) {
	failed := 0
	for i, c := range testenv.FarCases(7, testenv.Cases()) {
		meth := []Method{Largest, Mean, Median}[i%3]
		m, err := Fit(context.Background(), c.X, Config{K: c.K, Method: meth, Standardize: c.Standardize, Workers: 1})
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		for _, how := range []neighbors.Method{neighbors.Tree, neighbors.Brute} {
			mm := *m
			mm.base = m.base.WithMethod(how)
			if !testenv.CheckFar(t, how.String()+"/"+meth.String(), &mm, c) {
				failed++
			}
		}
		if failed > 10 && os.Getenv("VIGIL_PROPERTY_ALL") == "" {
			t.Fatal("more than 10 failing cases, stopping")
		}
	}
}
