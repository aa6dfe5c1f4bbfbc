package knn_test

import (
	"context"
	"fmt"

	"github.com/vigil-ml/vigil/knn"
	"gonum.org/v1/gonum/mat"
)

// Distinct destination ports and failed logins per host per hour.
func Example() {
	X := mat.NewDense(7, 2, []float64{
		3, 0,
		4, 1,
		3, 1,
		5, 0,
		4, 0,
		3, 2,
		40, 9,
	})
	m, err := knn.Fit(context.Background(), X, knn.Config{K: 2, Method: knn.Mean})
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, s := range m.TrainingScores() {
		fmt.Printf("host %d: %.2f\n", i, s)
	}
	s, _ := m.Score([]float64{4, 1})
	fmt.Printf("new host: %.2f\n", s)
	// Output:
	// host 0: 1.00
	// host 1: 1.00
	// host 2: 1.00
	// host 3: 1.21
	// host 4: 1.00
	// host 5: 1.21
	// host 6: 36.51
	// new host: 0.50
}

// Explain names the feature that puts a sample far from its neighbours, on
// the standardised scale the model measures distance.
func ExampleModel_Explain() {
	X := mat.NewDense(6, 3, []float64{
		3, 0, 200,
		4, 1, 210,
		3, 1, 190,
		5, 0, 205,
		4, 0, 195,
		3, 2, 200,
	})
	m, err := knn.Fit(context.Background(), X, knn.Config{K: 2, Standardize: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	why, _ := m.Explain([]float64{4, 9, 200})
	fmt.Printf("ports %.2f, failed logins %.2f, bytes %.2f\n", why[0], why[1], why[2])
	// Output:
	// ports 0.00, failed logins 0.98, bytes 0.02
}
