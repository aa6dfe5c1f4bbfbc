package lof

import (
	"context"
	"os"
	"testing"

	"github.com/vigil-ml/vigil/internal/neighbors"
	"github.com/vigil-ml/vigil/internal/testenv"
)

// TestFarOutliersScoreHigh is issue 7's property for LOF (see the knn test
// of the same name): a sample far outside the training data never scores
// below the largest training LOF unless it is refused with an error.
func TestFarOutliersScoreHigh(t *testing.T) {
	failed := 0
	for _, c := range testenv.FarCases(11, testenv.Cases()) {
		m, err := Fit(context.Background(), c.X, Config{K: c.K, Standardize: c.Standardize, Workers: 1})
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		for _, how := range []neighbors.Method{neighbors.Tree, neighbors.Brute} {
			mm := *m
			mm.base = m.base.WithMethod(how)
			if !testenv.CheckFar(t, how.String(), &mm, c) {
				failed++
			}
		}
		if failed > 10 && os.Getenv("VIGIL_PROPERTY_ALL") == "" {
			t.Fatal("more than 10 failing cases, stopping")
		}
	}
}
