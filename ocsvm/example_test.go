package ocsvm_test

import (
	"context"
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/vigil-ml/vigil/ocsvm"
)

// Hourly login windows of one account: logins, failed logins, distinct
// source addresses. The model learns the usual windows; a new window is
// flagged when its score is positive (outside the learnt region). The
// numbers are scikit-learn's: StandardScaler then OneClassSVM(nu=0.1) gives
// 10 support vectors, offset_ 0.28989 and −decision_function −0.04374 and
// 0.28989 for these two windows.
func Example() {
	X := mat.NewDense(12, 3, []float64{
		20, 1, 2,
		22, 0, 2,
		18, 2, 1,
		25, 1, 3,
		21, 0, 2,
		19, 1, 2,
		23, 2, 2,
		20, 1, 1,
		24, 0, 3,
		22, 1, 2,
		18, 0, 1,
		21, 2, 2,
	})
	m, err := ocsvm.Fit(context.Background(), X, ocsvm.Config{Nu: 0.1, Standardize: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d support vectors, rho %.3f\n", len(m.SupportIndices()), m.Rho())
	for _, w := range [][]float64{
		{21, 1, 2},  // an ordinary hour
		{22, 14, 9}, // password spraying from many addresses
	} {
		s, _ := m.Score(w)
		fmt.Printf("window %v: score %+.3f anomalous=%v\n", w, s, s > 0)
	}
	// Output:
	// 10 support vectors, rho 0.290
	// window [21 1 2]: score -0.044 anomalous=false
	// window [22 14 9]: score +0.290 anomalous=true
}
